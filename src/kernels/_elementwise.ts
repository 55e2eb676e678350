/**
 * Float32 fast paths for the element-wise and reduction kernels that dominate a training step
 * once convolutions are fast (Adam's updates, relu gradients, bias gradients, batch gathers).
 * Each returns null for a case it does not cover, so that the reference kernel runs instead.
 */
import * as tf from "@tensorflow/tfjs";
import type { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import { values } from "./_conv.ts";

type Op = (
  a: Float32Array,
  b: Float32Array,
  out: Float32Array,
  nb: number,
  aSmall: boolean,
) => void;

function size(shape: number[]): number {
  return shape.reduce((p, q) => p * q, 1);
}

/** Whether `small` broadcasts over `big` by repeating along leading axes only. */
function trailing(small: number[], big: number[]): boolean {
  const s = small.slice(
    small.findIndex((d) => d !== 1) === -1 ? small.length : small.findIndex((d) => d !== 1),
  );
  if (s.length > big.length) return false;
  return s.every((d, i) => d === big[big.length - s.length + i]);
}

// One explicit function per op: a shared generic loop calling `f(x, y)` would be megamorphic in
// V8 (closures from one literal share feedback) and several times slower.
function add(
  a: Float32Array,
  b: Float32Array,
  out: Float32Array,
  nb: number,
  aSmall: boolean,
): void {
  const n = out.length;
  if (nb === n) {
    for (let i = 0; i < n; i++) out[i] = a[i] + b[i];
  } else if (nb === 1 && aSmall) {
    const s = a[0];
    for (let i = 0; i < n; i++) out[i] = s + b[i];
  } else if (nb === 1) {
    const s = b[0];
    for (let i = 0; i < n; i++) out[i] = a[i] + s;
  } else if (aSmall) {
    for (let i = 0, j = 0; i < n; i++, j = j + 1 === nb ? 0 : j + 1) out[i] = a[j] + b[i];
  } else {
    for (let i = 0, j = 0; i < n; i++, j = j + 1 === nb ? 0 : j + 1) out[i] = a[i] + b[j];
  }
}

function sub(
  a: Float32Array,
  b: Float32Array,
  out: Float32Array,
  nb: number,
  aSmall: boolean,
): void {
  const n = out.length;
  if (nb === n) {
    for (let i = 0; i < n; i++) out[i] = a[i] - b[i];
  } else if (nb === 1 && aSmall) {
    const s = a[0];
    for (let i = 0; i < n; i++) out[i] = s - b[i];
  } else if (nb === 1) {
    const s = b[0];
    for (let i = 0; i < n; i++) out[i] = a[i] - s;
  } else if (aSmall) {
    for (let i = 0, j = 0; i < n; i++, j = j + 1 === nb ? 0 : j + 1) out[i] = a[j] - b[i];
  } else {
    for (let i = 0, j = 0; i < n; i++, j = j + 1 === nb ? 0 : j + 1) out[i] = a[i] - b[j];
  }
}

function multiply(
  a: Float32Array,
  b: Float32Array,
  out: Float32Array,
  nb: number,
  aSmall: boolean,
): void {
  const n = out.length;
  if (nb === n) {
    for (let i = 0; i < n; i++) out[i] = a[i] * b[i];
  } else if (nb === 1 && aSmall) {
    const s = a[0];
    for (let i = 0; i < n; i++) out[i] = s * b[i];
  } else if (nb === 1) {
    const s = b[0];
    for (let i = 0; i < n; i++) out[i] = a[i] * s;
  } else if (aSmall) {
    for (let i = 0, j = 0; i < n; i++, j = j + 1 === nb ? 0 : j + 1) out[i] = a[j] * b[i];
  } else {
    for (let i = 0, j = 0; i < n; i++, j = j + 1 === nb ? 0 : j + 1) out[i] = a[i] * b[j];
  }
}

function realdiv(
  a: Float32Array,
  b: Float32Array,
  out: Float32Array,
  nb: number,
  aSmall: boolean,
): void {
  const n = out.length;
  if (nb === n) {
    for (let i = 0; i < n; i++) out[i] = a[i] / b[i];
  } else if (nb === 1 && aSmall) {
    const s = a[0];
    for (let i = 0; i < n; i++) out[i] = s / b[i];
  } else if (nb === 1) {
    const s = b[0];
    for (let i = 0; i < n; i++) out[i] = a[i] / s;
  } else if (aSmall) {
    for (let i = 0, j = 0; i < n; i++, j = j + 1 === nb ? 0 : j + 1) out[i] = a[j] / b[i];
  } else {
    for (let i = 0, j = 0; i < n; i++, j = j + 1 === nb ? 0 : j + 1) out[i] = a[i] / b[j];
  }
}

function maximum(
  a: Float32Array,
  b: Float32Array,
  out: Float32Array,
  nb: number,
  aSmall: boolean,
): void {
  const n = out.length;
  if (nb === n) {
    for (let i = 0; i < n; i++) out[i] = a[i] > b[i] || a[i] !== a[i] ? a[i] : b[i];
  } else if (nb === 1 && aSmall) {
    const s = a[0];
    for (let i = 0; i < n; i++) out[i] = s > b[i] || s !== s ? s : b[i];
  } else if (nb === 1) {
    const s = b[0];
    for (let i = 0; i < n; i++) out[i] = a[i] > s || a[i] !== a[i] ? a[i] : s;
  } else if (aSmall) {
    for (let i = 0, j = 0; i < n; i++, j = j + 1 === nb ? 0 : j + 1) {
      out[i] = a[j] > b[i] || a[j] !== a[j] ? a[j] : b[i];
    }
  } else {
    for (let i = 0, j = 0; i < n; i++, j = j + 1 === nb ? 0 : j + 1) {
      out[i] = a[i] > b[j] || a[i] !== a[i] ? a[i] : b[j];
    }
  }
}

/** The binary kernels with fast paths, by tfjs kernel name. */
export const BINARY: Record<string, Op> = {
  Add: add,
  Sub: sub,
  Multiply: multiply,
  RealDiv: realdiv,
  Maximum: maximum,
};

/** a op b for float32 operands of one shape, with a scalar, or broadcast along leading axes. */
export function binaryOp(
  backend: MathBackendCPU,
  op: Op,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
): tf.TensorInfo | null {
  if (a.dtype !== "float32" || b.dtype !== "float32") return null;
  const na = size(a.shape), nb = size(b.shape);
  const outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
  const n = size(outShape);
  const aSmall = na < nb;
  const small = aSmall ? a : b, big = aSmall ? b : a;
  if (n !== Math.max(na, nb)) return null;
  if (na !== nb && size(small.shape) !== 1 && !trailing(small.shape, big.shape)) return null;
  const out = new Float32Array(n);
  op(values(backend, a), values(backend, b), out, Math.min(na, nb), aSmall);
  return backend.makeTensorInfo(outShape, "float32", out);
}

type Unary = (x: Float32Array, out: Float32Array, alpha: number) => void;

function relu(x: Float32Array, out: Float32Array, _alpha: number): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    // Branch-free on the sign (random signs defeat branch prediction); -Infinity and NaN fixed up.
    const r = v * +(v > 0);
    out[i] = r === r ? r : v === v ? 0 : v;
  }
}

function sqrt(x: Float32Array, out: Float32Array, _alpha: number): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    out[i] = Math.sqrt(v);
  }
}

function square(x: Float32Array, out: Float32Array, _alpha: number): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    out[i] = v * v;
  }
}

function neg(x: Float32Array, out: Float32Array, _alpha: number): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    out[i] = -v;
  }
}

function step(x: Float32Array, out: Float32Array, alpha: number): void {
  const rise = 1 - alpha;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    out[i] = v === v ? alpha + rise * +(v > 0) : NaN; // branch-free on the sign
  }
}

/** The unary kernels with fast paths (Step reads its `alpha`), by tfjs kernel name. */
export const UNARY: Record<string, Unary> = {
  Relu: relu,
  Sqrt: sqrt,
  Square: square,
  Neg: neg,
  Step: step,
};

/** f(x) element by element on a float32 tensor. */
export function unaryOp(
  backend: MathBackendCPU,
  f: Unary,
  x: tf.TensorInfo,
  alpha = 0,
): tf.TensorInfo | null {
  if (x.dtype !== "float32") return null;
  const v = values(backend, x);
  const out = new Float32Array(v.length);
  f(v, out, alpha);
  return backend.makeTensorInfo(x.shape, "float32", out);
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
  const axes = tf.util.parseAxisParam(axis, x.shape).sort((p, q) => p - q);
  if (axes.length === 0) return null;
  const leading = axes.every((ax, i) => ax === i);
  const trail = axes.every((ax, i) => ax === r - axes.length + i);
  if (!leading && !trail) return null;
  const v = values(backend, x);
  const outShape = keepDims
    ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d))
    : x.shape.filter((_, i) => !axes.includes(i));
  const inner = size(x.shape.filter((_, i) => !axes.includes(i)));
  const out = new Float32Array(inner);
  if (leading) {
    const rows = v.length / Math.max(inner, 1);
    for (let i = 0; i < rows; i++) {
      const o = i * inner;
      for (let j = 0; j < inner; j++) out[j] += v[o + j];
    }
  } else {
    const len = v.length / Math.max(inner, 1);
    for (let j = 0; j < inner; j++) {
      let s = 0;
      const o = j * len;
      for (let i = 0; i < len; i++) s += v[o + i];
      out[j] = s;
    }
  }
  return backend.makeTensorInfo(outShape, "float32", out);
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
