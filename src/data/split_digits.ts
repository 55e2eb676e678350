import { gatherRows } from "./_gather.ts";
import { mulberry32, shuffledIndices } from "./prng.ts";
import type { DigitSet } from "./types.ts";

/** Settings of {@linkcode splitDigits}. */
export interface SplitOptions {
  /**
   * Share of the rows held out for validation, in [0, 1). The validation set gets
   * `ceil(count × validationSplit)` rows and the training set the rest, as scikit-learn's
   * `train_test_split(test_size=…)` counts them.
   * @default {0.2}
   */
  validationSplit?: number;
  /**
   * Seed of the mulberry32 generator that drives the Fisher–Yates shuffle (taken modulo 2^32):
   * the same seed gives the same split.
   * @default {1212}
   */
  seed?: number;
}

/** The two halves of a split. */
export interface Split {
  /** Rows to train on. */
  train: DigitSet;
  /** Rows held out for validation. */
  validation: DigitSet;
}

/**
 * Splits `set` into training and validation sets after a seeded shuffle, as the notebook's
 * `train_test_split(X, y, test_size=0.2, random_state=1212)` does (the same sizes; the order comes
 * from mulberry32, not NumPy). Like scikit-learn's `ShuffleSplit`, the first
 * `ceil(count × validationSplit)` rows of the permutation go to validation and the rest to
 * training. Images are copied once into the two new sets and stay uint8.
 *
 * @param set The digits to split (labelled or not).
 * @param options Share held out and seed.
 * @returns `{ train, validation }`, together holding every row once.
 *
 * @example
 * ```ts
 * import { equal, deepEqual, notDeepEqual } from "node:assert/strict";
 * import { splitDigits } from "./split_digits.ts";
 *
 * const set = { images: new Uint8Array(42 * 784), labels: new Uint8Array(42), count: 42, source: "x" };
 * set.labels.forEach((_, i) => (set.labels[i] = i % 10));
 * const { train, validation } = splitDigits(set);
 * equal(train.count, 33);
 * equal(validation.count, 9);
 * deepEqual(splitDigits(set).validation.labels, validation.labels);
 * notDeepEqual(splitDigits(set, { seed: 7 }).validation.labels, validation.labels);
 * ```
 */
export function splitDigits(set: DigitSet, options: SplitOptions = {}): Split {
  const { validationSplit = 0.2, seed = 1212 } = options;
  if (!(validationSplit >= 0 && validationSplit < 1)) {
    throw new RangeError(
      `Cannot split ${set.source}: expected a validation split in [0, 1), found ${validationSplit}`,
    );
  }
  if (!Number.isInteger(seed)) {
    throw new RangeError(`Cannot split ${set.source}: expected an integer seed, found ${seed}`);
  }
  const validationCount = Math.ceil(set.count * validationSplit);
  const order = shuffledIndices(set.count, mulberry32(seed));
  return {
    train: gatherRows(set, order.subarray(validationCount), `${set.source}#train`),
    validation: gatherRows(set, order.subarray(0, validationCount), `${set.source}#validation`),
  };
}
