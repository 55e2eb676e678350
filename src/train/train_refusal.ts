import * as tf from "@tensorflow/tfjs";
import { describeBackend, selectBackend } from "../backend/select_backend.ts";
import { loadDigits, splitDigits } from "../data/mod.ts";
import { type DigitSet, IMAGE_PIXELS, IMAGE_SIZE, NUM_CLASSES } from "../data/types.ts";
import { saveLayersModel } from "../io/mod.ts";
import { adamOptimizer, simdTrainStep } from "../kernels/mod.ts";
import { createModel } from "../model/create_model.ts";
import { augmentBatch } from "./augment.ts";
import { makeNonDigits } from "./make_non_digits.ts";
import { type MinedParts, mineNumberParts } from "./mine_number_parts.ts";
import { mulberry32 as createRng, shuffledIndices as permutation } from "../data/prng.ts";

/** Settings of a refusal-training run. */
export interface RefusalTrainConfig {
  /** MNIST folder or file of labelled training digits. */
  data: string;
  /**
   * WOFF handwriting fonts for the letters, symbols and words (`@fontsource/*` files), or folders
   * whose `.woff` files are all used.
   */
  fonts: string[];
  /** Run folder: `model/` and `config.json` are written there. */
  out: string;
  /** Passes over the training digits. @default {15} */
  epochs?: number;
  /** Digits per step. @default {32} */
  batchSize?: number;
  /** Non-digits per step, besides the digits. @default {8} */
  nonDigitsPerBatch?: number;
  /** How many non-digits to make (each is seen several times, augmented). @default {12000} */
  nonDigits?: number;
  /**
   * Shares of the non-digits: letters and symbols, words, digit pairs, and optionally letters and
   * words drawn as pen strokes from single-stroke fonts (the rest doodles). @default {[0.35, 0.2, 0.12]}
   */
  shares?: [number, number, number] | [number, number, number, number];
  /** Seed of the split (as `deno task train`), shuffles, generator and initialisers. @default {1212} */
  seed?: number;
  /** Filters of the two convolutions ({@linkcode createModel}). @default {[8, 16]} */
  filters?: [number, number];
  /** Units of the hidden dense layer ({@linkcode createModel}). @default {128} */
  units?: number;
  /**
   * How many of the number reader's own crops to mine from numbers of touching and overlapping
   * training digits ({@linkcode mineNumberParts}): those that are one digit join the training
   * digits with their labels, the others (two digits, fragments) join the non-digits. @default {0}
   */
  parts?: number;
  /** Keep only the mined parts that are one digit (the non-digits among them are dropped). @default {false} */
  partsDigitsOnly?: boolean;
}

/**
 * Trains the notebook's CNN (10 softmax outputs; wider with `filters` and `units`) with outlier exposure: every step
 * holds augmented training digits (the robust recipe) with their labels, and augmented examples
 * of "not a digit" ({@linkcode makeNonDigits}) whose target is the uniform distribution, so that
 * the model learns to spread its probabilities, and the decision function to refuse, on letters,
 * symbols, doodles and digit pairs. Keeps the epoch with the best validation accuracy on the
 * digits held out by the same split as `deno task train` (seed 1212, 20 %); `OUT/model` is
 * rewritten each time an epoch beats the best so far, and holds the best epoch at the end.
 *
 * @example
 * ```ts ignore
 * import { trainRefusal } from "./train_refusal.ts";
 * await trainRefusal({ data: "mnist/", fonts: ["kalam-latin-400-normal.woff"], out: "runs/refuse" });
 * ```
 */
export async function trainRefusal(
  config: RefusalTrainConfig,
  log: (line: string) => void = console.log,
): Promise<{ accuracy: number; epoch: number }> {
  const { epochs = 15, batchSize = 32, nonDigitsPerBatch = 8, nonDigits = 12000 } = config;
  const seed = config.seed ?? 1212;
  if (!Number.isInteger(epochs) || epochs < 1) {
    throw new RangeError(`trainRefusal: epochs must be a positive integer, got ${epochs}`);
  }
  const parts = config.parts ?? 0;
  if (!Number.isInteger(parts) || parts < 0) {
    throw new RangeError(`trainRefusal: parts must be a non-negative integer, got ${parts}`);
  }
  const backend = await selectBackend("simd", { training: true });
  log(`Backend: ${describeBackend(backend)}`);
  const all = await loadDigits(config.data);
  const split = splitDigits(all, { validationSplit: 0.2, seed });
  const { validation } = split;
  let train = split.train;
  log(`Digits: ${train.count} training, ${validation.count} validation (${all.source})`);
  let mined: MinedParts | null = null;
  if (parts > 0) {
    // From the training split only: the validation digits stay unseen.
    mined = mineNumberParts(createRng(seed + 13), { count: parts, digits: train });
    log(
      `Mined ${parts} number parts: ${mined.digits.count} digits, ${mined.nonDigits.count} non-digits`,
    );
    train = joinSets(train, mined.digits);
  }
  let started = performance.now();
  const fonts = await fontFiles(config.fonts);
  log(`Fonts: ${fonts.length} (${fonts.map((f) => f.slice(f.lastIndexOf("/") + 1)).join(", ")})`);
  const made = await makeNonDigits(createRng(seed + 11), {
    count: nonDigits,
    fonts,
    digits: train,
    ...(config.shares === undefined ? {} : {
      letters: config.shares[0],
      words: config.shares[1],
      pairs: config.shares[2],
      strokes: config.shares[3] ?? 0,
    }),
  });
  log(`Made ${made.count} non-digits in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const negatives = mined === null || config.partsDigitsOnly === true
    ? made
    : joinSets(made, mined.nonDigits);
  log(`Training on ${train.count} digits and ${negatives.count} non-digits`);
  await Deno.mkdir(config.out, { recursive: true });
  await Deno.writeTextFile(
    `${config.out}/config.json`,
    JSON.stringify(
      { ...config, epochs, batchSize, nonDigitsPerBatch, nonDigits, seed, parts },
      null,
      2,
    ),
  );
  const model = createModel({
    seed,
    ...(config.filters === undefined ? {} : { filters: config.filters }),
    ...(config.units === undefined ? {} : { units: config.units }),
  });
  log(`Model: ${model.countParams()} parameters`);
  model.compile({
    optimizer: adamOptimizer(1e-3), // tf.train.adam, one kernel per variable on simd
    loss: "categoricalCrossentropy",
    metrics: ["accuracy"],
  });
  // On "simd" the steps run as simdTrainStep() (the layers' step bit for bit, several times
  // faster); elsewhere through trainOnBatch.
  const fused = simdTrainStep(model, { reason: (why) => log(`Layers' step: ${why}`) });
  const rng = createRng(seed + 7);
  const shuffle = createRng(seed);
  const n = batchSize + nonDigitsPerBatch;
  const images = new Uint8Array(n * IMAGE_PIXELS);
  const targets = new Float32Array(n * NUM_CLASSES);
  let best = { accuracy: -1, epoch: 0 };
  let negativeAt = 0;
  let negativeOrder = permutation(negatives.count, shuffle);
  for (let epoch = 1; epoch <= epochs; epoch++) {
    started = performance.now();
    const order = permutation(train.count, shuffle);
    let lossSum = 0;
    const steps = Math.floor(train.count / batchSize);
    for (let step = 0; step < steps; step++) {
      targets.fill(0);
      for (let i = 0; i < batchSize; i++) {
        const index = order[step * batchSize + i];
        images.set(
          train.images.subarray(index * IMAGE_PIXELS, (index + 1) * IMAGE_PIXELS),
          i * IMAGE_PIXELS,
        );
        targets[i * NUM_CLASSES + train.labels![index]] = 1;
      }
      for (let i = batchSize; i < n; i++) {
        if (negativeAt === negatives.count) {
          negativeAt = 0;
          negativeOrder = permutation(negatives.count, shuffle);
        }
        const index = negativeOrder[negativeAt++];
        images.set(
          negatives.images.subarray(index * IMAGE_PIXELS, (index + 1) * IMAGE_PIXELS),
          i * IMAGE_PIXELS,
        );
        targets.fill(1 / NUM_CLASSES, i * NUM_CLASSES, (i + 1) * NUM_CLASSES);
      }
      const pixels = augmentBatch(images, n, rng);
      let loss: number;
      if (fused !== null) loss = fused.run(pixels, targets, n).loss;
      else {
        const xs = tf.tensor4d(pixels, [n, IMAGE_SIZE, IMAGE_SIZE, 1]);
        const ys = tf.tensor2d(targets, [n, NUM_CLASSES]);
        loss = (await model.trainOnBatch(xs, ys) as number[])[0];
        tf.dispose([xs, ys]);
      }
      if (!Number.isFinite(loss)) {
        throw new RangeError(`Training diverged in epoch ${epoch}: loss is ${loss}`);
      }
      lossSum += loss;
    }
    const accuracy = validationAccuracy(model, validation);
    const seconds = (performance.now() - started) / 1000;
    log(
      `Epoch ${epoch}/${epochs}: loss ${(lossSum / steps).toFixed(4)} val_accuracy ${
        accuracy.toFixed(4)
      } | ${seconds.toFixed(1)} s`,
    );
    if (accuracy > best.accuracy) {
      best = { accuracy, epoch };
      // Kept on disk as it improves: the best epoch's model, also when a run is stopped early.
      await saveLayersModel(model, `${config.out}/model`);
    }
  }
  fused?.dispose();
  model.dispose();
  log(
    `Best: epoch ${best.epoch}, validation accuracy ${
      best.accuracy.toFixed(4)
    }; model in ${config.out}/model`,
  );
  return best;
}

/** `a` and then `b` (labelled when both are). */
function joinSets(a: DigitSet, b: DigitSet): DigitSet {
  const images = new Uint8Array((a.count + b.count) * IMAGE_PIXELS);
  images.set(a.images.subarray(0, a.count * IMAGE_PIXELS));
  images.set(b.images.subarray(0, b.count * IMAGE_PIXELS), a.count * IMAGE_PIXELS);
  let labels: Uint8Array | null = null;
  if (a.labels !== null && b.labels !== null) {
    labels = new Uint8Array(a.count + b.count);
    labels.set(a.labels.subarray(0, a.count));
    labels.set(b.labels.subarray(0, b.count), a.count);
  }
  return { images, labels, count: a.count + b.count, source: `${a.source} + ${b.source}` };
}

/** The WOFF files of `entries`: each a file, or a folder whose `.woff` files (sorted) are taken. */
async function fontFiles(entries: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const entry of entries) {
    if (!(await Deno.stat(entry)).isDirectory) {
      files.push(entry);
      continue;
    }
    const inside: string[] = [];
    for await (const e of Deno.readDir(entry)) {
      if (e.isFile && e.name.endsWith(".woff")) inside.push(`${entry}/${e.name}`);
    }
    if (inside.length === 0) throw new RangeError(`No .woff font in folder ${entry}`);
    files.push(...inside.sort());
  }
  return files;
}

/** Share of `set` the model classifies right (argmax), in batches of 1,000. */
function validationAccuracy(model: tf.LayersModel, set: DigitSet): number {
  let right = 0;
  for (let from = 0; from < set.count; from += 1000) {
    const n = Math.min(1000, set.count - from);
    const pixels = Float32Array.from(
      set.images.subarray(from * IMAGE_PIXELS, (from + n) * IMAGE_PIXELS),
      (v) => v / 255,
    );
    const guesses = tf.tidy(() => {
      const x = tf.tensor4d(pixels, [n, IMAGE_SIZE, IMAGE_SIZE, 1]);
      return (model.predict(x) as tf.Tensor).argMax(-1).dataSync();
    });
    for (let i = 0; i < n; i++) if (guesses[i] === set.labels![from + i]) right++;
  }
  return right / set.count;
}
