import { NUM_CLASSES } from "../data/types.ts";

/**
 * Counts how often each true class was predicted as each class: `matrix[t][p]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const m = confusionMatrix([0, 1, 1], [0, 1, 2]);
 * assert.equal(m[1][1], 1);
 * assert.equal(m[1][2], 1);
 * ```
 */
export function confusionMatrix(
  labels: ArrayLike<number>,
  predictions: ArrayLike<number>,
  classes: number = NUM_CLASSES,
): number[][] {
  if (labels.length !== predictions.length) {
    throw new RangeError(
      `Cannot build a confusion matrix: expected as many predictions as labels (${labels.length}), found ${predictions.length}`,
    );
  }
  const matrix = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < labels.length; i++) {
    const t = labels[i], p = predictions[i];
    if (!(t >= 0 && t < classes && p >= 0 && p < classes)) {
      throw new RangeError(
        `Cannot build a confusion matrix at index ${i}: expected classes 0-${
          classes - 1
        }, found label ${t} and prediction ${p}`,
      );
    }
    matrix[t][p]++;
  }
  return matrix;
}
