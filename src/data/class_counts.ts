import { type DigitSet, NUM_CLASSES } from "./types.ts";

/**
 * How many rows of `set` hold each digit: `counts[d]` for d = 0…9. Throws `TypeError` for an
 * unlabelled set.
 *
 * @param set Labelled digits.
 * @returns Ten counts that add up to `set.count`.
 *
 * @example
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { classCounts } from "./class_counts.ts";
 *
 * const set = { images: new Uint8Array(4 * 784), labels: new Uint8Array([7, 1, 7, 0]), count: 4, source: "x" };
 * deepEqual(classCounts(set), [1, 1, 0, 0, 0, 0, 0, 2, 0, 0]);
 * ```
 */
export function classCounts(set: DigitSet): number[] {
  if (set.labels === null) {
    throw new TypeError(`Cannot count classes of ${set.source}: expected labels, found none`);
  }
  const counts = new Array<number>(NUM_CLASSES).fill(0);
  for (let i = 0; i < set.count; i++) counts[set.labels[i]]++;
  return counts;
}
