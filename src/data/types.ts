/**
 * Shared data types: a set of 28×28 grayscale digits kept as uint8 until a batch is formed.
 *
 * @module
 */

/** Side of an MNIST image in pixels. */
export const IMAGE_SIZE = 28;
/** Pixels in one MNIST image (28 × 28). */
export const IMAGE_PIXELS: number = IMAGE_SIZE * IMAGE_SIZE;
/** Number of classes (digits 0-9). */
export const NUM_CLASSES = 10;

/**
 * A set of digits. `images` holds `count × 784` bytes, row-major, one byte per pixel
 * (0 = background, 255 = ink, MNIST polarity). `labels` holds one class per image, or is `null`
 * for an unlabelled set such as Kaggle's `test.csv`.
 */
export interface DigitSet {
  /** Pixels, `[count, 28, 28]` row-major, 0-255. */
  images: Uint8Array;
  /** Class of each image (0-9), or `null` when the set is unlabelled. */
  labels: Uint8Array | null;
  /** Number of images. */
  count: number;
  /** Where the set came from (a path, or `"embedded:mnist"`), for messages and `config.json`. */
  source: string;
}
