import { type DigitSet, IMAGE_PIXELS } from "./types.ts";

/**
 * The first `n` rows of `set` (all of them when it holds fewer), as views into its arrays: no
 * copy. This is `--limit N`, for quick runs.
 *
 * @param set The digits.
 * @param n How many rows to keep, a positive integer.
 * @returns A set of `min(n, set.count)` rows.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { limitDigits } from "./limit_digits.ts";
 *
 * const set = { images: new Uint8Array(5 * 784), labels: new Uint8Array([3, 1, 4, 1, 5]), count: 5, source: "x" };
 * const first = limitDigits(set, 2);
 * equal(first.count, 2);
 * equal(first.images.length, 2 * 784);
 * equal(first.labels?.[1], 1);
 * equal(limitDigits(set, 99).count, 5);
 * ```
 */
export function limitDigits(set: DigitSet, n: number): DigitSet {
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`Cannot limit ${set.source}: expected a positive integer, found ${n}`);
  }
  if (n >= set.count) return set;
  return {
    images: set.images.subarray(0, n * IMAGE_PIXELS),
    labels: set.labels === null ? null : set.labels.subarray(0, n),
    count: n,
    source: set.source,
  };
}
