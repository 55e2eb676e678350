import { mulberry32 } from "../data/prng.ts";

/** Options of {@linkcode tsne}. */
export interface TsneOptions {
  /** Effective number of neighbours per point. @default 30 */
  perplexity?: number;
  /** Gradient-descent iterations. @default 500 */
  iterations?: number;
  /** Seed of the initial layout. @default 1 */
  seed?: number;
  /** Learning rate. @default max(n / 48, 50), scikit-learn's "auto" */
  learningRate?: number;
}

/** Symmetric joint probabilities P from squared distances, with a binary search of β = 1/2σ² per point. */
function jointProbabilities(
  points: Float32Array,
  n: number,
  dim: number,
  perplexity: number,
): Float64Array {
  const d2 = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let s = 0;
      for (let k = 0; k < dim; k++) {
        const d = points[i * dim + k] - points[j * dim + k];
        s += d * d;
      }
      d2[i * n + j] = d2[j * n + i] = s;
    }
  }
  const p = new Float64Array(n * n);
  const target = Math.log(perplexity);
  const row = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let beta = 1, lo = -Infinity, hi = Infinity;
    for (let tries = 0; tries < 64; tries++) {
      let sum = 0, weighted = 0;
      for (let j = 0; j < n; j++) {
        row[j] = j === i ? 0 : Math.exp(-d2[i * n + j] * beta);
        sum += row[j];
        weighted += d2[i * n + j] * row[j];
      }
      sum = Math.max(sum, 1e-300);
      const entropy = Math.log(sum) + beta * weighted / sum;
      for (let j = 0; j < n; j++) p[i * n + j] = row[j] / sum;
      const diff = entropy - target;
      if (Math.abs(diff) < 1e-5) break;
      if (diff > 0) {
        lo = beta;
        beta = hi === Infinity ? beta * 2 : (beta + hi) / 2;
      } else {
        hi = beta;
        beta = lo === -Infinity ? beta / 2 : (beta + lo) / 2;
      }
    }
  }
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const v = Math.max((p[i * n + j] + p[j * n + i]) / (2 * n), 1e-12);
      p[i * n + j] = p[j * n + i] = v;
    }
  }
  return p;
}

/**
 * Exact t-SNE (van der Maaten & Hinton, 2008): perplexity-calibrated Gaussian affinities, a
 * Student-t kernel in 2-D, early exaggeration (×12 for the first 100 iterations), momentum 0.5
 * then 0.8, and per-coordinate adaptive gains. O(n²) memory and time per iteration: fine for a
 * few thousand points. `points` is `[n, dim]` row-major; returns `[n, 2]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const points = Float32Array.from({ length: 40 }, (_, i) => (i < 20 ? 0 : 10) + (i % 7) * 0.1);
 * const y = tsne(points, 20, 2, { perplexity: 5, iterations: 100, seed: 1 });
 * assert.equal(y.length, 40);
 * ```
 */
export function tsne(
  points: Float32Array,
  n: number,
  dim: number,
  options: TsneOptions = {},
): Float32Array {
  const { perplexity = 30, iterations = 500, seed = 1 } = options;
  const learningRate = options.learningRate ?? Math.max(n / 48, 50);
  if (points.length !== n * dim) {
    throw new RangeError(
      `Cannot run t-SNE: expected ${n}×${dim} = ${n * dim} values, found ${points.length}`,
    );
  }
  if (n < 2) throw new RangeError(`Cannot run t-SNE: expected at least 2 points, found ${n}`);
  const p = jointProbabilities(points, n, dim, Math.min(perplexity, (n - 1) / 3));
  const random = mulberry32(seed);
  const y = new Float64Array(n * 2);
  for (let i = 0; i < y.length; i++) {
    // Box-Muller, σ = 1e-4 as in the reference implementation.
    y[i] = 1e-4 * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  }
  const update = new Float64Array(n * 2), gains = new Float64Array(n * 2).fill(1);
  const grad = new Float64Array(n * 2), q = new Float64Array(n * n);
  for (let iter = 0; iter < iterations; iter++) {
    const exaggeration = iter < 100 ? 12 : 1;
    const momentum = iter < 250 ? 0.5 : 0.8;
    let qSum = 0;
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const dx = y[2 * i] - y[2 * j], dy = y[2 * i + 1] - y[2 * j + 1];
        const v = 1 / (1 + dx * dx + dy * dy);
        q[i * n + j] = q[j * n + i] = v;
        qSum += 2 * v;
      }
    }
    grad.fill(0);
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const w = q[i * n + j];
        const f = 4 * (exaggeration * p[i * n + j] - w / qSum) * w;
        const fx = f * (y[2 * i] - y[2 * j]), fy = f * (y[2 * i + 1] - y[2 * j + 1]);
        grad[2 * i] += fx;
        grad[2 * i + 1] += fy;
        grad[2 * j] -= fx;
        grad[2 * j + 1] -= fy;
      }
    }
    const mean = [0, 0];
    for (let k = 0; k < 2 * n; k++) {
      const sameSign = (grad[k] > 0) === (update[k] > 0);
      gains[k] = Math.max(0.01, sameSign ? gains[k] * 0.8 : gains[k] + 0.2);
      update[k] = momentum * update[k] - learningRate * gains[k] * grad[k];
      y[k] += update[k];
      mean[k & 1] += y[k] / n;
    }
    for (let k = 0; k < 2 * n; k++) y[k] -= mean[k & 1];
  }
  return Float32Array.from(y);
}
