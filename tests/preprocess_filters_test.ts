import { deepEqual } from "node:assert/strict";
import { extremeFilter, resizeArea } from "../src/preprocess/_filters.ts";

/** A repeatable plane of `n` values (`bytes`: whole numbers 0-255, else float32s, some negative). */
function plane(n: number, seed: number, bytes: boolean): Float32Array | Uint8Array {
  let s = seed;
  const next = () => (s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  return bytes
    ? Uint8Array.from({ length: n }, () => Math.floor(next() * 256))
    : Float32Array.from({ length: n }, () => Math.fround(next() * 300 - 20));
}

/** The min or max over the `(2r+1)²` square around each pixel, the square cut at the edges. */
function naiveExtreme(
  src: ArrayLike<number>,
  w: number,
  h: number,
  r: number,
  max: boolean,
): Float32Array {
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let v = max ? -Infinity : Infinity;
      for (let yy = Math.max(0, y - r); yy <= Math.min(h - 1, y + r); yy++) {
        for (let xx = Math.max(0, x - r); xx <= Math.min(w - 1, x + r); xx++) {
          v = max ? Math.max(v, src[yy * w + xx]) : Math.min(v, src[yy * w + xx]);
        }
      }
      out[y * w + x] = v;
    }
  }
  return out;
}

Deno.test("extremeFilter() gives the min and max over each window, edges cut, for any size and radius", () => {
  const sizes: Array<[number, number, number]> = [
    [1, 1, 1],
    [1, 9, 2],
    [9, 1, 3],
    [7, 5, 1],
    [16, 13, 2],
    [33, 40, 6],
    [64, 64, 13],
  ];
  for (const [i, [w, h, r]] of sizes.entries()) {
    for (const bytes of [true, false]) {
      const src = plane(w * h, i + 1, bytes);
      for (const max of [true, false]) {
        deepEqual(
          Array.from(extremeFilter(src, w, h, r, max)),
          Array.from(naiveExtreme(src, w, h, r, max)),
          `${w}×${h}, r = ${r}, ${bytes ? "bytes" : "floats"}, ${max ? "max" : "min"}`,
        );
      }
    }
  }
});

Deno.test("resizeArea() to the same size returns the values as they were", () => {
  const src = plane(23 * 17, 5, true);
  deepEqual(Array.from(resizeArea(src, 23, 17, 23, 17)), Array.from(src));
});
