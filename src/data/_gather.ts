/**
 * Copying chosen rows of a set into a new one, images staying uint8.
 *
 * @module
 */
import { type DigitSet, IMAGE_PIXELS } from "./types.ts";

/** A new set holding the rows `indices` of `set`, in that order. */
export function gatherRows(set: DigitSet, indices: ArrayLike<number>, source: string): DigitSet {
  const count = indices.length;
  const images = new Uint8Array(count * IMAGE_PIXELS); // [count, 28, 28]
  const from = set.labels;
  const labels = from === null ? null : new Uint8Array(count);
  for (let k = 0; k < count; k++) {
    const row = indices[k];
    images.set(set.images.subarray(row * IMAGE_PIXELS, (row + 1) * IMAGE_PIXELS), k * IMAGE_PIXELS);
    if (labels !== null && from !== null) labels[k] = from[row];
  }
  return { images, labels, count, source };
}
