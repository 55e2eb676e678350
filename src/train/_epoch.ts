import * as tf from "@tensorflow/tfjs";
import { type DigitSet, IMAGE_PIXELS, IMAGE_SIZE } from "../data/types.ts";
import { startEpochProgress } from "./_progress.ts";

/** Turns a batch of uint8 images into model input; the robust recipe augments here. */
export type BatchTransform = (images: Uint8Array, n: number) => Float32Array;

/** Scales uint8 pixels to 0-1, the model's input encoding. */
export const scalePixels: BatchTransform = (images, n) => {
  const out = new Float32Array(n * IMAGE_PIXELS);
  for (let i = 0; i < out.length; i++) out[i] = images[i] / 255;
  return out;
};

/** One epoch's outcome: the running means Keras reports, and whether it ran to its end. */
export interface EpochOutcome {
  loss: number;
  accuracy: number;
  samples: number;
  seconds: number;
  completed: boolean;
}

/** Settings of {@linkcode runEpoch}. */
export interface EpochOptions {
  epoch: number;
  epochs: number;
  batchSize: number;
  /** A permutation of the training set's indices for this epoch. */
  order: Uint32Array;
  transform: BatchTransform;
  /** Checked between batches: true stops the epoch early (Ctrl-C). */
  shouldStop: () => boolean;
  /** Show a progress bar. @default {true} */
  progress?: boolean;
}

/**
 * Trains one epoch with `trainOnBatch`, forming each batch from uint8 pixels only when it is
 * needed, so the whole set never exists as float32.
 */
export async function runEpoch(
  model: tf.LayersModel,
  set: DigitSet,
  options: EpochOptions,
): Promise<EpochOutcome> {
  const { batchSize, order, transform } = options;
  const labels = set.labels;
  if (labels === null) throw new TypeError(`Cannot train on ${set.source}: it has no labels`);
  const batches = Math.ceil(order.length / batchSize);
  const bar = options.progress === false
    ? null
    : startEpochProgress(options.epoch, options.epochs, batches);
  const images = new Uint8Array(batchSize * IMAGE_PIXELS);
  const targets = new Float32Array(batchSize);
  let lossSum = 0, accuracySum = 0, samples = 0;
  const start = performance.now();
  let completed = true;
  for (let b = 0; b < batches; b++) {
    if (options.shouldStop()) {
      completed = false;
      break;
    }
    const from = b * batchSize;
    const n = Math.min(batchSize, order.length - from);
    for (let i = 0; i < n; i++) {
      const index = order[from + i];
      images.set(
        set.images.subarray(index * IMAGE_PIXELS, (index + 1) * IMAGE_PIXELS),
        i * IMAGE_PIXELS,
      );
      targets[i] = labels[index];
    }
    const pixels = transform(images.subarray(0, n * IMAGE_PIXELS), n);
    const xs = tf.tensor4d(pixels, [n, IMAGE_SIZE, IMAGE_SIZE, 1]); // [n, 28, 28, 1]
    const ys = tf.tensor2d(targets.subarray(0, n), [n, 1]); // [n, 1] class indices
    const [loss, accuracy] = await model.trainOnBatch(xs, ys) as number[];
    tf.dispose([xs, ys]);
    if (!Number.isFinite(loss)) {
      bar?.stop();
      throw new RangeError(
        `Training diverged in epoch ${options.epoch} at batch ${b + 1}: loss is ${loss}`,
      );
    }
    lossSum += loss * n;
    accuracySum += accuracy * n;
    samples += n;
    bar?.update(b + 1, lossSum / samples, accuracySum / samples);
  }
  bar?.stop();
  const seconds = (performance.now() - start) / 1000;
  return {
    loss: samples === 0 ? NaN : lossSum / samples,
    accuracy: samples === 0 ? NaN : accuracySum / samples,
    samples,
    seconds,
    completed,
  };
}
