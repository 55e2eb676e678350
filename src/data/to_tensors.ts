import * as tf from "@tensorflow/tfjs";
import { type DigitSet, IMAGE_PIXELS, IMAGE_SIZE, NUM_CLASSES } from "./types.ts";

/** Settings of {@linkcode toTensors}. */
export interface ToTensorsOptions {
  /**
   * Labels as one-hot rows `[n, 10]` (for the `categoricalCrossentropy` loss) instead of class
   * indices `[n, 1]` (for `sparseCategoricalCrossentropy`).
   * @default {false}
   */
  oneHot?: boolean;
}

/** A batch ready for `model.fit()` / `model.predict()`. */
export interface DigitTensors {
  /** Pixels / 255, float32 `[n, 28, 28, 1]`. */
  xs: tf.Tensor4D;
  /**
   * Labels, float32: class indices `[n, 1]` (what tfjs-layers' `fit()` expects as the target of
   * the `"sparseCategoricalCrossentropy"` loss), or one-hot `[n, 10]` with `oneHot`; `null` for
   * an unlabelled set.
   */
  ys: tf.Tensor2D | null;
}

/**
 * Turns rows `start…end-1` of `set` into tensors: the only place where pixels leave uint8. The
 * caller disposes of them (or calls this inside `tf.tidy()`).
 *
 * @param set The digits.
 * @param start First row.
 * @param end Row after the last one (default: `set.count`).
 * @param options Label encoding.
 * @returns `{ xs, ys }`.
 *
 * @example
 * ```ts
 * import { deepEqual, equal } from "node:assert/strict";
 * import { toTensors } from "./to_tensors.ts";
 *
 * const images = new Uint8Array(3 * 784).fill(255);
 * const set = { images, labels: new Uint8Array([2, 0, 9]), count: 3, source: "x" };
 * const { xs, ys } = toTensors(set, 1);
 * deepEqual(xs.shape, [2, 28, 28, 1]);
 * equal(xs.max().dataSync()[0], 1);
 * deepEqual(ys?.arraySync(), [[0], [9]]);
 * xs.dispose();
 * ys?.dispose();
 * ```
 */
export function toTensors(
  set: DigitSet,
  start = 0,
  end: number = set.count,
  options: ToTensorsOptions = {},
): DigitTensors {
  if (
    !Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > set.count ||
    start > end
  ) {
    throw new RangeError(
      `Cannot batch ${set.source}: expected rows 0 ≤ start ≤ end ≤ ${set.count}, found ${start}…${end}`,
    );
  }
  const n = end - start;
  const pixels = set.images.subarray(start * IMAGE_PIXELS, end * IMAGE_PIXELS);
  const scaled = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) scaled[i] = pixels[i] / 255;
  const xs = tf.tensor4d(scaled, [n, IMAGE_SIZE, IMAGE_SIZE, 1], "float32");
  if (set.labels === null) return { xs, ys: null };
  const labels = set.labels.subarray(start, end);
  if (!options.oneHot) return { xs, ys: tf.tensor2d(Float32Array.from(labels), [n, 1], "float32") };
  const hot = new Float32Array(n * NUM_CLASSES);
  for (let i = 0; i < n; i++) hot[i * NUM_CLASSES + labels[i]] = 1;
  return { xs, ys: tf.tensor2d(hot, [n, NUM_CLASSES], "float32") };
}
