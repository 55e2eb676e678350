/**
 * WebAssembly SIMD paths for the element-wise and reduction kernels that dominate a training step
 * once convolutions are fast (Adam's updates, relu gradients, bias gradients), on tensors in the
 * heap. Each returns null for a case it does not cover, so that the reference kernel runs instead.
 */
import * as tf from "@tensorflow/tfjs";
import type { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import { output, pointer } from "./_storage.ts";
import { run } from "./_threads.ts";

function size(shape: number[]): number {
  return shape.reduce((p, q) => p * q, 1);
}

/** Whether `small` broadcasts over `big` by repeating along leading axes only. */
function trailing(small: number[], big: number[]): boolean {
  const first = small.findIndex((d) => d !== 1);
  const s = small.slice(first === -1 ? small.length : first);
  if (s.length > big.length) return false;
  return s.every((d, i) => d === big[big.length - s.length + i]);
}

/** Whether `small` broadcasts over `big` by repeating each element along trailing axes. */
function leading(small: number[], big: number[]): boolean {
  const s = [...Array(big.length - small.length).fill(1), ...small];
  const last = s.findLastIndex((d) => d !== 1);
  return s.every((d, i) => (i <= last ? d === big[i] : d === 1));
}

/** The binary kernels with fast paths: their op codes in `assembly/elementwise.ts`. */
export const BINARY: Record<string, number> = {
  Add: 0,
  Sub: 1,
  Multiply: 2,
  RealDiv: 3,
  Maximum: 4,
};

/**
 * a op b for float32 operands of one shape, with a scalar, or with one operand broadcast along
 * leading axes (a bias row) or trailing axes (a column, as `[n, 1]` over `[n, k]`).
 */
export function binaryOp(
  backend: MathBackendCPU,
  op: number,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
): tf.TensorInfo | null {
  if (a.dtype !== "float32" || b.dtype !== "float32") return null;
  const na = size(a.shape), nb = size(b.shape);
  const outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
  const n = size(outShape);
  if (n !== Math.max(na, nb) || n === 0) return null;
  const aSmall = na < nb;
  const small = aSmall ? a : b, big = aSmall ? b : a;
  let mode: number;
  if (na === nb) mode = 0;
  else if (size(small.shape) === 1) mode = aSmall ? 1 : 2;
  else if (trailing(small.shape, big.shape)) mode = aSmall ? 3 : 4;
  else if (leading(small.shape, big.shape)) mode = aSmall ? 5 : 6;
  else return null;
  const pa = pointer(backend, a);
  const pb = pa === null ? null : pointer(backend, b);
  const out = pa === null || pb === null ? null : output(backend, outShape);
  if (pa === null || pb === null || out === null) return null;
  run("binary", [op, mode, pa, pb, out.ptr, n, Math.min(na, nb)]);
  return out.info;
}

/** The unary kernels with fast paths (Step reads its `alpha`), by op code in the wasm. */
export const UNARY: Record<string, number> = {
  Relu: 0,
  Step: 1,
  Sqrt: 2,
  Square: 3,
  Neg: 4,
  Floor: 5,
};

/** f(x) element by element on a float32 tensor. */
export function unaryOp(
  backend: MathBackendCPU,
  op: number,
  x: tf.TensorInfo,
  alpha = 0,
): tf.TensorInfo | null {
  if (x.dtype !== "float32") return null;
  const px = pointer(backend, x);
  const out = px === null ? null : output(backend, x.shape);
  if (px === null || out === null) return null;
  run("unary", [op, px, out.ptr, size(x.shape), alpha]);
  return out.info;
}

/** The sorted reduction axes of `x` and the shape a reduction over them leaves. */
function reduction(
  x: tf.TensorInfo,
  axis: number | number[],
  keepDims: boolean,
): { axes: number[]; outShape: number[] } {
  const axes = tf.util.parseAxisParam(axis, x.shape).sort((p, q) => p - q);
  const outShape = keepDims
    ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d))
    : x.shape.filter((_, i) => !axes.includes(i));
  return { axes, outShape };
}

/**
 * Sum over a set of leading axes (bias gradients: [b,h,w,c] → [c]) or trailing axes, in float32.
 */
export function sumOp(
  backend: MathBackendCPU,
  x: tf.TensorInfo,
  axis: number | number[],
  keepDims: boolean,
): tf.TensorInfo | null {
  if (x.dtype !== "float32") return null;
  const r = x.shape.length;
  const { axes, outShape } = reduction(x, axis, keepDims);
  if (axes.length === 0) return null;
  const leading = axes.every((ax, i) => ax === i);
  const trail = axes.every((ax, i) => ax === r - axes.length + i);
  if (!leading && !trail) return null;
  const inner = size(x.shape.filter((_, i) => !axes.includes(i)));
  const total = size(x.shape);
  const px = pointer(backend, x);
  const out = px === null ? null : output(backend, outShape);
  if (px === null || out === null) return null;
  if (inner === 0) return out.info;
  if (leading) run("sumRows", [px, out.ptr, total / inner, inner]);
  else run("sumCols", [px, out.ptr, inner, total / inner]);
  return out.info;
}

/**
 * Mean over trailing axes (or all) of a float32 tensor, computed as tfjs' cpu kernel does:
 * Σ fround(x / n) accumulated in f64, so results are equal bit for bit.
 */
export function meanOp(
  backend: MathBackendCPU,
  x: tf.TensorInfo,
  axis: number | number[],
  keepDims: boolean,
): tf.TensorInfo | null {
  if (x.dtype !== "float32") return null;
  const r = x.shape.length;
  const { axes, outShape } = reduction(x, axis, keepDims);
  if (axes.length === 0 || !axes.every((ax, i) => ax === r - axes.length + i)) return null;
  const v = backend.data.get(x.dataId).values;
  if (!(v instanceof Float32Array)) return null;
  const out = output(backend, outShape);
  if (out === null) return null;
  const groups = size(outShape), len = groups === 0 ? 0 : v.length / groups;
  const n = Math.fround(len);
  for (let g = 0; g < groups; g++) {
    let sum = 0;
    for (let i = g * len; i < (g + 1) * len; i++) sum += Math.fround(v[i] / n);
    out.view[g] = sum;
  }
  return out.info;
}

/** softmax over the last axis of float32 logits (the model's output layer); NaN rows stay NaN. */
export function softmaxOp(
  backend: MathBackendCPU,
  logits: tf.TensorInfo,
  dim: number,
): tf.TensorInfo | null {
  const rank = logits.shape.length;
  if (logits.dtype !== "float32" || rank === 0 || (dim !== -1 && dim !== rank - 1)) return null;
  const x = backend.data.get(logits.dataId).values;
  if (!(x instanceof Float32Array)) return null;
  const out = output(backend, logits.shape);
  if (out === null) return null;
  softmaxRows(x, out.view, logits.shape[rank - 1]);
  return out.info;
}

/**
 * y = softmax over each row of k floats of x, rounding as tfjs' cpu kernel does (exp in float32,
 * the sum in float64 then float32), so that results equal it bit for bit.
 */
export function softmaxRows(x: Float32Array, y: Float32Array, k: number): void {
  for (let o = 0; o < x.length; o += k) {
    let max = -Infinity;
    for (let j = 0; j < k; j++) max = x[o + j] > max ? x[o + j] : max;
    let sum = 0;
    for (let j = 0; j < k; j++) {
      const e = Math.fround(Math.exp(Math.fround(x[o + j] - max)));
      y[o + j] = e;
      sum += e;
    }
    const total = Math.fround(sum);
    for (let j = 0; j < k; j++) y[o + j] = y[o + j] / total;
  }
}

/** GatherV2 along axis 0 (forming a batch from a dataset tensor). */
export function gatherRows(
  backend: MathBackendCPU,
  x: tf.TensorInfo,
  indices: tf.TensorInfo,
  axis: number,
  batchDims: number,
): tf.TensorInfo | null {
  if (axis !== 0 || batchDims !== 0 || indices.shape.length !== 1) return null;
  if (x.dtype === "string" || x.dtype === "complex64" || indices.dtype !== "int32") return null;
  const v = backend.data.get(x.dataId).values as Float32Array | Int32Array | Uint8Array;
  const idx = backend.data.get(indices.dataId).values as Int32Array;
  const row = size(x.shape.slice(1));
  const ctor = v.constructor as new (n: number) => Float32Array | Int32Array | Uint8Array;
  const out = new ctor(idx.length * row);
  for (let i = 0; i < idx.length; i++) {
    const k = idx[i];
    if (!(k >= 0 && k < x.shape[0])) return null; // the reference kernel reports the bad index
    out.set(v.subarray(k * row, (k + 1) * row), i * row);
  }
  return backend.makeTensorInfo([idx.length, ...x.shape.slice(1)], x.dtype, out);
}
