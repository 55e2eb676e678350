import * as tf from "@tensorflow/tfjs";
import { type DigitSet, IMAGE_PIXELS, IMAGE_SIZE, NUM_CLASSES } from "../data/types.ts";

/** Loss and accuracy of a model on a labelled set, with every prediction. */
export interface Evaluation {
  /** Mean sparse categorical cross-entropy (probabilities clipped to 1e-7, as Keras does). */
  loss: number;
  /** Share of images whose most probable class is the label. */
  accuracy: number;
  /** The predicted class of each image. */
  predictions: Uint8Array;
  /** Probabilities, `[count, 10]` row-major. */
  probabilities: Float32Array;
}

/**
 * Predicts every image of `set` in chunks and returns the class probabilities and the predicted
 * class of each. Works on unlabelled sets (Kaggle's test.csv).
 *
 * @example
 * ```ts
 * import { predictDigits } from "./evaluate.ts";
 * import { createModel } from "../model/create_model.ts";
 * import { equal } from "node:assert/strict";
 * const set = { images: new Uint8Array(2 * 784), labels: null, count: 2, source: "zeros" };
 * const { predictions } = await predictDigits(createModel(), set);
 * equal(predictions.length, 2);
 * ```
 */
export async function predictDigits(
  model: tf.LayersModel,
  set: DigitSet,
  chunk = 512,
): Promise<{ predictions: Uint8Array; probabilities: Float32Array }> {
  const probabilities = new Float32Array(set.count * NUM_CLASSES);
  for (let from = 0; from < set.count; from += chunk) {
    const n = Math.min(chunk, set.count - from);
    const pixels = new Float32Array(n * IMAGE_PIXELS);
    const bytes = set.images.subarray(from * IMAGE_PIXELS, (from + n) * IMAGE_PIXELS);
    for (let i = 0; i < pixels.length; i++) pixels[i] = bytes[i] / 255;
    const probs = tf.tidy(() =>
      model.predict(tf.tensor4d(pixels, [n, IMAGE_SIZE, IMAGE_SIZE, 1])) as tf.Tensor
    );
    probabilities.set(await probs.data() as Float32Array, from * NUM_CLASSES);
    probs.dispose();
  }
  const predictions = new Uint8Array(set.count);
  for (let i = 0; i < set.count; i++) {
    let best = 0;
    for (let c = 1; c < NUM_CLASSES; c++) {
      if (probabilities[i * NUM_CLASSES + c] > probabilities[i * NUM_CLASSES + best]) best = c;
    }
    predictions[i] = best;
  }
  return { predictions, probabilities };
}

/**
 * Evaluates a model on a labelled set: the notebook's `model.evaluate`, in chunks.
 *
 * @example
 * ```ts
 * import { evaluateModel } from "./evaluate.ts";
 * import { createModel } from "../model/create_model.ts";
 * import { ok } from "node:assert/strict";
 * const set = { images: new Uint8Array(784), labels: new Uint8Array([3]), count: 1, source: "x" };
 * const { loss } = await evaluateModel(createModel(), set);
 * ok(loss > 0);
 * ```
 */
export async function evaluateModel(model: tf.LayersModel, set: DigitSet): Promise<Evaluation> {
  const labels = set.labels;
  if (labels === null) throw new TypeError(`Cannot evaluate on ${set.source}: it has no labels`);
  const { predictions, probabilities } = await predictDigits(model, set);
  let loss = 0, correct = 0;
  for (let i = 0; i < set.count; i++) {
    const p = Math.min(Math.max(probabilities[i * NUM_CLASSES + labels[i]], 1e-7), 1 - 1e-7);
    loss -= Math.log(p);
    if (predictions[i] === labels[i]) correct++;
  }
  return {
    loss: loss / set.count,
    accuracy: correct / set.count,
    predictions,
    probabilities,
  };
}
