import { deepEqual, equal, ok } from "node:assert/strict";
import { loadTestDigitGrid } from "../src/bench/_test_digits.ts";
import { mulberry32 } from "../src/data/prng.ts";
import { makeNonDigits, NON_DIGIT_CHARACTERS } from "../src/train/make_non_digits.ts";

/** The ink box of a 28×28 image (bytes above 64): [width, height], or null without ink. */
function inkSize(images: Uint8Array, i: number): [number, number] | null {
  let [x0, y0, x1, y1] = [28, 28, -1, -1];
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      if (images[i * 784 + y * 28 + x] < 64) continue;
      [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
    }
  }
  return x1 < 0 ? null : [x1 - x0 + 1, y1 - y0 + 1];
}

Deno.test("makeNonDigits() makes the count asked, all inked, none a narrow upright bar, the same for the same seed", async () => {
  const digits = await loadTestDigitGrid(); // pairs from MNIST test digits, as fixtures must be
  const first = await makeNonDigits(mulberry32(3), { count: 40, fonts: [], digits });
  const again = await makeNonDigits(mulberry32(3), { count: 40, fonts: [], digits });
  equal(first.count, 40);
  equal(first.images.length, 40 * 784);
  equal(first.labels, null);
  deepEqual(again.images, first.images);
  for (let i = 0; i < first.count; i++) {
    const size = inkSize(first.images, i);
    ok(size !== null, `Non-digit ${i} has no ink`);
    ok(size[0] >= 0.35 * size[1], `Non-digit ${i} is a bar like a 1: ${size[0]}×${size[1]}`);
  }
  const other = await makeNonDigits(mulberry32(4), { count: 40, fonts: [], digits });
  ok(other.images.some((v, j) => v !== first.images[j]), "Another seed made the same images");
});

Deno.test("NON_DIGIT_CHARACTERS leaves out the letters written like digits", () => {
  for (const ch of "0123456789OoIlZzSsBgqbDG|/") {
    ok(!NON_DIGIT_CHARACTERS.includes(ch), `${ch} reads as a digit`);
  }
});
