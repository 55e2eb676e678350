/** Runs one computation on tfjs' "cpu" reference backend and on "simd", and compares. */
import * as tf from "@tensorflow/tfjs";
import { ok } from "node:assert/strict";
import { registerSimdBackend } from "../src/kernels/mod.ts";

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

/**
 * Runs `f` on both backends with the same random inputs and asserts every output matches within
 * `tol` relative to the largest magnitude of the reference output.
 */
export async function compareBackends(
  shapes: number[][],
  f: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[],
  tol = 1e-4,
  seed = 7,
): Promise<void> {
  await registerSimdBackend();
  const results: Float32Array[][] = [];
  const outShapes: number[][] = [];
  for (const backend of ["cpu", "simd"]) {
    await tf.setBackend(backend);
    const outs = tf.tidy(() => {
      const ys = f(...inputs(shapes, seed));
      return Array.isArray(ys) ? ys : [ys];
    });
    results.push(outs.map((y) => y.dataSync() as Float32Array));
    if (backend === "cpu") outShapes.push(...outs.map((y) => y.shape));
    else {outs.forEach((y, i) =>
        ok(sameShape(y.shape, outShapes[i]), `Shape ${y.shape} vs ${outShapes[i]}`)
      );}
    tf.dispose(outs);
  }
  const [want, got] = results;
  for (let o = 0; o < want.length; o++) {
    const scale = want[o].reduce((m, v) => Math.max(m, Math.abs(v)), 1);
    let worst = 0;
    for (let i = 0; i < want[o].length; i++) {
      worst = Math.max(worst, Math.abs(want[o][i] - got[o][i]) / scale);
    }
    ok(worst <= tol, `Output ${o} differs from cpu by ${worst} (tolerance ${tol})`);
  }
}

function sameShape(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
