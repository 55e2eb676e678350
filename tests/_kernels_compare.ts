/** Runs one computation on tfjs' "cpu" reference backend and on "simd", and compares. */
import * as tf from "@tensorflow/tfjs";
import { ok } from "node:assert/strict";
import { registerSimdBackend, simdKernelCounts } from "../src/kernels/mod.ts";

/** A reproducible stream of floats in [-1, 1) (mulberry32). */
export function randoms(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

/** Float32 tensors of the given shapes filled from `seed`. */
export function inputs(shapes: number[][], seed: number): tf.Tensor[] {
  return shapes.map((s, i) => tf.tensor(randoms(s.reduce((p, q) => p * q, 1), seed + i), s));
}

/** A reproducible integer in [lo, hi] for drawing shapes: `draw(seed)(lo, hi)`. */
export function draw(seed: number): (lo: number, hi: number) => number {
  const stream = randoms(64, seed);
  let i = 0;
  return (lo, hi) => lo + Math.floor(((stream[i++ % 64] + 1) / 2) * (hi - lo + 1));
}

/** What {@linkcode compareBackends} checks beyond the values. */
export interface CompareOptions {
  /**
   * Largest allowed |simd - cpu| over an output, relative to that output's largest magnitude on
   * cpu. @default {1e-5}
   */
  tol?: number;
  /** Seed of the random inputs. @default {7} */
  seed?: number;
  /**
   * Kernels that must run their WebAssembly path on simd at least once, and never fall back unless
   * also named in `fallback`.
   */
  fast: string[];
  /** Kernels that must fall back to the reference at least once (cases the fast paths decline). */
  fallback?: string[];
}

/**
 * Runs `f` on both backends with the same random inputs and asserts every output matches within
 * `tol` relative to the largest magnitude of the reference output, and that the kernels named in
 * `fast` really ran in WebAssembly on simd (a fast path that declines falls back to cpu silently,
 * which would otherwise compare cpu with cpu).
 */
export async function compareBackends(
  shapes: number[][],
  f: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[],
  options: CompareOptions,
): Promise<void> {
  const { tol = 1e-5, seed = 7, fast, fallback = [] } = options;
  await registerSimdBackend();
  const results: Float32Array[][] = [];
  const outShapes: number[][] = [];
  let before = simdKernelCounts();
  for (const backend of ["cpu", "simd"]) {
    await tf.setBackend(backend);
    before = simdKernelCounts();
    const outs = tf.tidy(() => {
      const ys = f(...inputs(shapes, seed));
      return Array.isArray(ys) ? ys : [ys];
    });
    results.push(outs.map((y) => y.dataSync() as Float32Array));
    if (backend === "cpu") outShapes.push(...outs.map((y) => y.shape));
    else {
      outs.forEach((y, i) =>
        ok(sameShape(y.shape, outShapes[i]), `Shape ${y.shape} vs ${outShapes[i]}`)
      );
    }
    tf.dispose(outs);
  }
  const after = simdKernelCounts();
  const delta = (name: string) => ({
    fast: (after.get(name)?.fast ?? 0) - (before.get(name)?.fast ?? 0),
    reference: (after.get(name)?.reference ?? 0) - (before.get(name)?.reference ?? 0),
  });
  for (const name of fast) {
    const d = delta(name);
    const allowed = fallback.includes(name) || d.reference === 0;
    ok(d.fast > 0 && allowed, `${name} ran ${d.fast} times fast, ${d.reference} not`);
  }
  for (const name of fallback) {
    ok(delta(name).reference > 0, `${name} never fell back to the reference kernel`);
  }
  const [want, got] = results;
  for (let o = 0; o < want.length; o++) {
    const scale = want[o].reduce((m, v) => Math.max(m, Math.abs(v)), 0) || 1;
    let worst = 0;
    for (let i = 0; i < want[o].length; i++) {
      const d = Math.abs(want[o][i] - got[o][i]);
      worst = Math.max(worst, Number.isNaN(d) && Object.is(want[o][i], got[o][i]) ? 0 : d / scale);
    }
    ok(worst <= tol, `Output ${o} differs from cpu by ${worst} of its scale (tolerance ${tol})`);
  }
}

function sameShape(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
