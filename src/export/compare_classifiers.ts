import { IMAGE_PIXELS, NUM_CLASSES } from "../data/types.ts";
import type { DigitSet } from "../data/types.ts";
import type { Classifier } from "../model/classifier.ts";

/** How two classifiers compare on a labelled set. */
export interface Comparison {
  /** Digits compared. */
  count: number;
  /** Top-1 accuracy of the first (reference) classifier, 0-1. */
  referenceAccuracy: number;
  /** Top-1 accuracy of the second classifier, 0-1. */
  candidateAccuracy: number;
  /** Share of digits on which both pick the same class, 0-1. */
  agreement: number;
  /** Digits on which they pick different classes. */
  disagreements: number;
  /** Largest absolute difference between any two matching probabilities. */
  maxProbabilityDifference: number;
}

function argmax(row: Float32Array): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
}

/**
 * Runs both classifiers over `digits` in batches and compares them: each one's accuracy, their
 * top-1 agreement and the largest probability difference.
 *
 * @param reference The model taken as the truth (the float32 layers model).
 * @param candidate The model checked against it (the exported graph model).
 * @param digits Labelled digits.
 * @param batchSize Images per forward pass. @default {512}
 * @returns The comparison.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { compareClassifiers } from "./compare_classifiers.ts";
 *
 * const uniform = {
 *   predict: (_: Float32Array, n: number) => Promise.resolve(new Float32Array(n * 10).fill(0.1)),
 * };
 * const digits = { images: new Uint8Array(3 * 784), labels: Uint8Array.of(0, 1, 0), count: 3, source: "x" };
 * const result = await compareClassifiers(uniform, uniform, digits);
 * equal(result.agreement, 1);
 * equal(result.referenceAccuracy, 2 / 3);
 * ```
 */
export async function compareClassifiers(
  reference: Classifier,
  candidate: Classifier,
  digits: DigitSet,
  batchSize = 512,
): Promise<Comparison> {
  if (digits.labels === null) {
    throw new TypeError(`Cannot compare models on ${digits.source}: expected labelled digits`);
  }
  let right = [0, 0];
  let same = 0;
  let maxDiff = 0;
  for (let start = 0; start < digits.count; start += batchSize) {
    const n = Math.min(batchSize, digits.count - start);
    const batch = new Float32Array(n * IMAGE_PIXELS); // [n, 28, 28, 1], pixel / 255
    const bytes = digits.images.subarray(start * IMAGE_PIXELS, (start + n) * IMAGE_PIXELS);
    for (let i = 0; i < batch.length; i++) batch[i] = bytes[i] / 255;
    const a = await reference.predict(batch, n); // [n, 10]
    const b = await candidate.predict(batch, n);
    for (let i = 0; i < n; i++) {
      const rowA = a.subarray(i * NUM_CLASSES, (i + 1) * NUM_CLASSES);
      const rowB = b.subarray(i * NUM_CLASSES, (i + 1) * NUM_CLASSES);
      const [pa, pb] = [argmax(rowA), argmax(rowB)];
      const label = digits.labels[start + i];
      right = [right[0] + (pa === label ? 1 : 0), right[1] + (pb === label ? 1 : 0)];
      if (pa === pb) same++;
      for (let k = 0; k < NUM_CLASSES; k++) {
        maxDiff = Math.max(maxDiff, Math.abs(rowA[k] - rowB[k]));
      }
    }
  }
  return {
    count: digits.count,
    referenceAccuracy: right[0] / digits.count,
    candidateAccuracy: right[1] / digits.count,
    agreement: same / digits.count,
    disagreements: digits.count - same,
    maxProbabilityDifference: maxDiff,
  };
}
