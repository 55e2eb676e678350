/**
 * The training configuration: every setting of a run, with the notebook's defaults. The resolved
 * configuration is written to `config.json` in the run folder, so a run can be repeated from it.
 *
 * @module
 */

/** Backends a run can ask for. `auto` picks WebGPU on a hardware adapter, else the fastest CPU. */
export const TRAIN_BACKENDS = ["auto", "webgpu", "simd", "cpu", "wasm"] as const;
/** A backend name accepted by `--backend`. */
export type TrainBackend = typeof TRAIN_BACKENDS[number];

/** Training recipes: the notebook's, or one with augmentation for real photos. */
export const RECIPES = ["notebook", "robust"] as const;
/** A recipe name accepted by `--recipe`. */
export type Recipe = typeof RECIPES[number];

/** Every setting of a training run. */
export interface TrainConfig {
  /** Labelled data: a Kaggle `train.csv[.gz]`, an MNIST IDX file or folder; `null` = embedded. */
  data: string | null;
  /** Unlabelled Kaggle `test.csv[.gz]`: when set, the run writes `submission.csv`. */
  test: string | null;
  /** Run folder; `null` = `runs/<timestamp>/`. */
  out: string | null;
  /** Passes over the training set. @default {10} */
  epochs: number;
  /** Images per step (Keras' default). @default {32} */
  batchSize: number;
  /** Share of the labelled data held out for validation. @default {0.2} */
  validationSplit: number;
  /** Seed of the split, the shuffles, the initialisers and the augmentation. @default {1212} */
  seed: number;
  /** Use only the first N labelled rows; `null` = all. */
  limit: number | null;
  /** Backend to train on. @default {"auto"} */
  backend: TrainBackend;
  /**
   * Threads of the simd backend: 2 lets a helper thread take half of each convolution and
   * pooling (the filter gradients are then summed per thread, so the last bits of a run differ
   * from one thread's). @default {1}
   */
  threads: number;
  /** Adam's learning rate. @default {0.001} */
  learningRate: number;
  /** `notebook` (no augmentation) or `robust` (augmented for photos). @default {"notebook"} */
  recipe: Recipe;
  /** Also draw a t-SNE picture of a sample of the training digits. @default {false} */
  tsne: boolean;
  /** Folder for TensorBoard event files; `null` = none. */
  tensorboard: string | null;
}

/** The notebook's settings. */
export const DEFAULT_TRAIN_CONFIG: Readonly<TrainConfig> = Object.freeze({
  data: null,
  test: null,
  out: null,
  epochs: 10,
  batchSize: 32,
  validationSplit: 0.2,
  seed: 1212,
  limit: null,
  backend: "auto",
  threads: 1,
  learningRate: 0.001,
  recipe: "notebook",
  tsne: false,
  tensorboard: null,
});

function checkInteger(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`Invalid ${name}: expected an integer >= ${min}, received ${value}`);
  }
}

/**
 * Merges overrides into the defaults and checks every value. Unknown keys are an error, so a typo
 * in a config file never passes silently.
 *
 * @example
 * ```ts
 * import { resolveTrainConfig } from "./config.ts";
 * import { equal, throws } from "node:assert/strict";
 * equal(resolveTrainConfig({ epochs: 2 }).batchSize, 32);
 * throws(() => resolveTrainConfig({ epochs: 0 }), RangeError);
 * ```
 */
export function resolveTrainConfig(overrides: Partial<TrainConfig> = {}): TrainConfig {
  for (const key of Object.keys(overrides)) {
    if (!(key in DEFAULT_TRAIN_CONFIG)) {
      throw new TypeError(`Unknown training setting "${key}"`);
    }
  }
  const defined = Object.fromEntries(
    Object.entries(overrides).filter(([, v]) => v !== undefined),
  ) as Partial<TrainConfig>;
  const config: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, ...defined };
  checkInteger("epochs", config.epochs, 1);
  checkInteger("batch size", config.batchSize, 1);
  checkInteger("seed", config.seed, 0);
  checkInteger("threads", config.threads, 1);
  if (config.threads > 2) {
    throw new RangeError(`Invalid threads: expected 1 or 2, received ${config.threads}`);
  }
  if (config.limit !== null) checkInteger("limit", config.limit, 2);
  if (!(config.validationSplit > 0 && config.validationSplit < 1)) {
    throw new RangeError(
      `Invalid validation split: expected a number between 0 and 1, received ${config.validationSplit}`,
    );
  }
  if (!(config.learningRate > 0 && Number.isFinite(config.learningRate))) {
    throw new RangeError(
      `Invalid learning rate: expected a positive number, received ${config.learningRate}`,
    );
  }
  if (!(TRAIN_BACKENDS as readonly string[]).includes(config.backend)) {
    throw new RangeError(
      `Unknown backend "${config.backend}": expected one of ${TRAIN_BACKENDS.join(", ")}`,
    );
  }
  if (!(RECIPES as readonly string[]).includes(config.recipe)) {
    throw new RangeError(
      `Unknown recipe "${config.recipe}": expected one of ${RECIPES.join(", ")}`,
    );
  }
  return config;
}
