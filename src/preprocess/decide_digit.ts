import type { InkStats } from "./types.ts";

/** One class and its probability. */
export interface ScoredClass {
  /** The digit, 0-9. */
  digit: number;
  /** Its probability, 0-1. */
  probability: number;
}

/** The answer for one image: a digit, or `null` with the reason. */
export interface DigitDecision {
  /** The digit, or `null` when the model is not sure or the ink does not look like a digit. */
  digit: number | null;
  /** Probability of the most likely class. */
  probability: number;
  /** The three most likely classes, best first. */
  top: ScoredClass[];
  /** Why `digit` is `null`. */
  reason?: string;
}

/** Options for {@linkcode decideDigit}. */
export interface DecideOptions {
  /** Below this top probability the answer is "not sure". @default {0.5} */
  minConfidence?: number;
  /** Above this entropy of the probabilities (bits; uniform is 3.32) the answer is "not sure". @default {2} */
  maxEntropy?: number;
}

/**
 * Turns one softmax row into an answer, refusing to guess when the model is unsure (low top
 * probability or spread-out probabilities) or the ink looks unlike handwriting (strokes as thick
 * as a third of the digit, as in a blob or a photo of an object).
 *
 * @example
 * ```ts
 * import { decideDigit } from "./decide_digit.ts";
 * import { equal } from "node:assert/strict";
 * const sure = new Float32Array([0, 0, 0, 0.95, 0.05, 0, 0, 0, 0, 0]);
 * equal(decideDigit(sure).digit, 3);
 * const unsure = new Float32Array(10).fill(0.1);
 * equal(decideDigit(unsure).digit, null);
 * ```
 */
export function decideDigit(
  probabilities: Float32Array,
  stats?: InkStats,
  options: DecideOptions = {},
): DigitDecision {
  const { minConfidence = 0.5, maxEntropy = 2 } = options;
  const ranked = Array.from(probabilities.subarray(0, 10), (probability, digit) => ({
    digit,
    probability: Math.round(probability * 1e6) / 1e6,
  })).sort((a, b) => b.probability - a.probability);
  const top = ranked.slice(0, 3);
  let entropy = 0;
  for (const { probability: p } of ranked) if (p > 0) entropy -= p * Math.log2(p);
  const best = top[0];
  let reason: string | undefined;
  if (best.probability < minConfidence) {
    reason = `not sure: best guess ${best.digit} at ${best.probability.toFixed(2)}`;
  } else if (entropy > maxEntropy) reason = `not sure: probabilities spread out`;
  else if (stats !== undefined && stats.strokeRatio > 0.3) {
    reason = "not a digit: the marks are too thick to be pen strokes";
  }
  return { digit: reason ? null : best.digit, probability: best.probability, top, reason };
}
