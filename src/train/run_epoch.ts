import * as tf from "@tensorflow/tfjs";
import { type DigitSet, IMAGE_PIXELS, IMAGE_SIZE } from "../data/types.ts";
import { simdTrainStep } from "../kernels/mod.ts";
import { startEpochProgress } from "./_progress.ts";

/** Turns a batch of uint8 images into model input; the robust recipe augments here. */
export type BatchTransform = (images: Uint8Array, n: number) => Float32Array;

/**
 * Scales uint8 pixels to 0-1, the model's input encoding.
 *
 * @example
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { scalePixels } from "./run_epoch.ts";
 * const images = new Uint8Array(784).fill(255);
 * deepEqual(scalePixels(images, 1).slice(0, 2), new Float32Array([1, 1]));
 * ```
 */
export const scalePixels: BatchTransform = (images: Uint8Array, n: number): Float32Array => {
  const out = new Float32Array(n * IMAGE_PIXELS);
  for (let i = 0; i < out.length; i++) out[i] = images[i] / 255;
  return out;
};

/** One epoch's outcome: the running means Keras reports, and whether it ran to its end. */
export interface EpochOutcome {
  /** Mean sparse categorical cross-entropy over the epoch's steps. */
  loss: number;
  /** Mean accuracy over the epoch's steps. */
  accuracy: number;
  /** Training images seen. */
  samples: number;
  /** Seconds spent in the training steps. */
  seconds: number;
  /** `false` when a stop signal ended the epoch early. */
  completed: boolean;
}

/** Settings of {@linkcode runEpoch}. */
export interface EpochOptions {
  /** This epoch's number, for the progress bar and messages. @default {1} */
  epoch?: number;
  /** The run's epochs, for the progress bar. @default {1} */
  epochs?: number;
  /** Images per step. @default {32} */
  batchSize?: number;
  /** A permutation of the set's indices for this epoch. @default {the set's own order} */
  order?: Uint32Array;
  /** Uint8 pixels to model input. @default {scalePixels} */
  transform?: BatchTransform;
  /** Checked between batches: true stops the epoch early (Ctrl-C). @default {never} */
  shouldStop?: () => boolean;
  /** Show a progress bar. @default {true} */
  progress?: boolean;
  /**
   * Train through `simdTrainStep()` where it applies (the "simd" backend, `adamOptimizer()`, the
   * notebook's kind of model): the same weights as the layers' own step, without tfjs' engine.
   * `false` always runs the layers' step. @default {true}
   */
  fused?: boolean;
}

/** How often the step's loss and accuracy are read back, the bar redrawn and signals let in. */
const READ_EVERY_MS = 250;

/** The step `trainOnBatch` runs: `[x, y]` in, `[loss, ...metrics]` scalars out. */
type TrainFunction = (data: tf.Tensor[]) => tf.Scalar[];

/**
 * The compiled model's own training step, the one `fit()` and `trainOnBatch()` call (a protected
 * method of tfjs-layers; a `Sequential` keeps its compiled model inside). Calling it directly
 * skips `trainOnBatch`'s per-batch input checks and its wait for the loss after every step.
 */
function trainFunctionOf(model: tf.LayersModel): TrainFunction {
  type Inner = { model?: unknown; makeTrainFunction(): TrainFunction };
  const outer = model as unknown as Inner;
  const compiled = (model instanceof tf.Sequential ? outer.model : outer) as Inner;
  return compiled.makeTrainFunction();
}

/**
 * Trains a compiled model (loss and one metric, as `train()` compiles it) for one epoch over a
 * labelled set, forming each batch from uint8 pixels only when it is needed, so the whole set
 * never exists as float32. Steps are those of `trainOnBatch` (same kernels, same weights: on
 * "simd" with `adamOptimizer()` they run as `simdTrainStep()`, equal bit for bit); their
 * losses are read back a few times a second rather than after every step, which is also when
 * the progress bar moves and a Ctrl-C gets through. `seconds` covers the steps alone: what
 * `metrics.json` and `deno task bench train` report as samples/s.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { runEpoch } from "./run_epoch.ts";
 * import { createModel } from "../model/create_model.ts";
 * import { loadDigits, limitDigits } from "../data/mod.ts";
 * import { equal } from "node:assert/strict";
 * const model = createModel({ seed: 1 });
 * model.compile({ optimizer: "adam", loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] });
 * const run = await runEpoch(model, limitDigits(await loadDigits(), 64), { progress: false });
 * equal(run.samples, 64);
 * model.dispose();
 * ```
 */
export async function runEpoch(
  model: tf.LayersModel,
  set: DigitSet,
  options: EpochOptions = {},
): Promise<EpochOutcome> {
  const { epoch = 1, epochs = 1, batchSize = 32, transform = scalePixels } = options;
  const order = options.order ?? Uint32Array.from({ length: set.count }, (_, i) => i);
  const shouldStop = options.shouldStop ?? (() => false);
  const labels = set.labels;
  if (labels === null) throw new TypeError(`Cannot train on ${set.source}: it has no labels`);
  const fused = options.fused === false ? null : simdTrainStep(model);
  const step = fused === null ? trainFunctionOf(model) : null;
  const batches = Math.ceil(order.length / batchSize);
  const bar = options.progress === false ? null : startEpochProgress(epoch, epochs, batches);
  const images = new Uint8Array(batchSize * IMAGE_PIXELS);
  const targets = new Float32Array(batchSize);
  let lossSum = 0, accuracySum = 0, samples = 0;
  /** Steps whose loss and accuracy are not read yet: [loss, accuracy, batch size]. */
  let unread: [tf.Scalar | number, tf.Scalar | number, number][] = [];
  let steps = 0;
  const readBack = async () => {
    const pending = unread;
    unread = [];
    // One read for all of them: on webgpu each read waits for the GPU and Deno's polling (~10 ms).
    const scalars = pending.flatMap(([p, q]) => [p, q])
      .filter((t): t is tf.Scalar => typeof t !== "number");
    const stacked = scalars.length > 0 ? tf.stack(scalars) : null;
    const values = stacked === null ? new Float32Array(0) : await stacked.data();
    stacked?.dispose();
    const valueOf = new Map(scalars.map((t, i) => [t, values[i]]));
    const read = (v: tf.Scalar | number) => typeof v === "number" ? v : valueOf.get(v)!;
    for (const [i, [loss, accuracy, n]] of pending.entries()) {
      const l = read(loss), a = read(accuracy);
      if (!Number.isFinite(l)) {
        tf.dispose(scalars);
        fused?.dispose();
        bar?.stop();
        const at = steps - pending.length + i + 1;
        throw new RangeError(
          `Training diverged in epoch ${epoch} at batch ${at}: loss is ${l}`,
        );
      }
      lossSum += l * n;
      accuracySum += a * n;
      samples += n;
    }
    tf.dispose(scalars);
    if (samples > 0) bar?.update(steps, lossSum / samples, accuracySum / samples);
    await new Promise((resolve) => setTimeout(resolve, 0)); // let signals and timers run
  };
  const start = performance.now();
  let lastRead = start;
  let completed = true;
  for (let b = 0; b < batches; b++) {
    if (shouldStop()) {
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
    if (fused !== null) {
      const { loss, accuracy } = fused.run(pixels, targets.subarray(0, n), n);
      unread.push([loss, accuracy, n]);
    } else {
      const xs = tf.tensor4d(pixels, [n, IMAGE_SIZE, IMAGE_SIZE, 1]); // [n, 28, 28, 1]
      const ys = tf.tensor2d(targets.subarray(0, n), [n, 1]); // [n, 1] class indices
      const [loss, accuracy, ...rest] = step!([xs, ys]);
      tf.dispose([xs, ys, ...rest]);
      unread.push([loss, accuracy, n]);
    }
    steps++;
    if (performance.now() - lastRead >= READ_EVERY_MS) {
      await readBack();
      lastRead = performance.now();
    }
  }
  await readBack();
  fused?.dispose();
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
