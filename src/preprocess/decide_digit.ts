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

/**
 * Temperature of `models/default`: its softmax divided by this (in log space) gives probabilities
 * that mean what they say. Fitted by `deno task bench refuse` (negative log-likelihood on the
 * model's 12,000 held-out MNIST validation digits, seed 1212, as `deno task train` splits them).
 */
export const DEFAULT_TEMPERATURE = 0.7;

/** Options for {@linkcode decideDigit}. */
export interface DecideOptions {
  /** Below this top probability (after temperature scaling) the answer is "not sure". @default {0.5} */
  minConfidence?: number;
  /** Softmax temperature applied before deciding (1 = the model's own probabilities). @default {DEFAULT_TEMPERATURE} */
  temperature?: number;
  /** Above this entropy of the probabilities (bits; uniform is 3.32) the answer is "not sure". @default {2} */
  maxEntropy?: number;
}

/**
 * Temperature scaling of one softmax row: `softmax(log p / T)`, which equals `softmax(z / T)` for
 * the logits `z` the row came from. `T > 1` softens an over-confident model.
 *
 * @example
 * ```ts
 * import { calibrate } from "./decide_digit.ts";
 * import { ok } from "node:assert/strict";
 * const soft = calibrate(new Float32Array([0.9, 0.1, 0, 0, 0, 0, 0, 0, 0, 0]), 2);
 * ok(soft[0] > 0.7 && soft[0] < 0.9);
 * ```
 */
export function calibrate(probabilities: Float32Array, temperature: number): Float32Array {
  const row = probabilities.subarray(0, 10);
  if (temperature === 1) return Float32Array.from(row);
  const logs = Array.from(row, (p) => Math.log(Math.max(p, 1e-30)) / temperature);
  const top = Math.max(...logs);
  const exps = logs.map((v) => Math.exp(v - top));
  const sum = exps.reduce((a, b) => a + b, 0);
  return Float32Array.from(exps, (e) => e / sum);
}

/**
 * The one decision function of the toolkit (the CLI, the service and the number reader all call
 * it): turns one softmax row into an answer, after temperature scaling, refusing to guess when the
 * model is unsure (low top probability or spread-out probabilities) or the ink looks unlike
 * handwriting (strokes as thick as a third of the digit, as in a blob or a photo of an object).
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
  const { minConfidence = 0.5, maxEntropy = 2, temperature = DEFAULT_TEMPERATURE } = options;
  const ranked = Array.from(calibrate(probabilities, temperature), (probability, digit) => ({
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
