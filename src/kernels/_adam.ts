/**
 * Adam's update as one kernel per variable. tfjs' `AdamOptimizer` runs 14 kernels per variable
 * and step (each a pass over the variable); `SimdAdam` runs the same float32 operations in one
 * pass, so the weights it produces equal tfjs' bit for bit.
 */
import type * as tf from "@tensorflow/tfjs";
import type { KernelArgs } from "./_fast.ts";
import { output, pointer } from "./_storage.ts";
import { run } from "./_threads.ts";

/** The kernel name of the fused update (inputs `x`, `m`, `v`, `g`; outputs x', m', v'). */
export const ADAM = "SimdAdam";

/** The scalars of one update, each already a float32 value as tfjs' scalar tensors hold it. */
export type AdamAttrs = {
  beta1: number;
  oneMinusBeta1: number;
  beta2: number;
  oneMinusBeta2: number;
  /** 1 - β1^t, the first moment's bias correction. */
  c1: number;
  /** 1 - β2^t, the second moment's bias correction. */
  c2: number;
  epsilon: number;
  /** -learning rate. */
  negLr: number;
};

function attrArgs(a: AdamAttrs): number[] {
  return [a.beta1, a.oneMinusBeta1, a.beta2, a.oneMinusBeta2, a.c1, a.c2, a.epsilon, a.negLr];
}

/** The update in WebAssembly on heap tensors; null when a tensor is not float32 or the heap is full. */
export function adamUpdate(
  { backend, inputs, attrs }: KernelArgs<AdamAttrs>,
): tf.TensorInfo[] | null {
  const { x, m, v, g } = inputs;
  if (![x, m, v, g].every((t) => t.dtype === "float32")) return null;
  const n = x.shape.reduce((p, q) => p * q, 1);
  const ps: number[] = [];
  for (const t of [x, m, v, g]) {
    const p = pointer(backend, t);
    if (p === null) return null;
    ps.push(p);
  }
  const outs: { ptr: number; info: tf.TensorInfo }[] = [];
  for (let i = 0; i < 3; i++) {
    const out = output(backend, x.shape);
    if (out === null) {
      for (const o of outs) backend.disposeData(o.info.dataId);
      return null;
    }
    outs.push(out);
  }
  run("adam", [...ps, ...outs.map((o) => o.ptr), n, ...attrArgs(attrs)]);
  return outs.map((o) => o.info);
}

/** The same update in JavaScript (float32 rounding after every operation), for what the heap declines. */
export function adamReference({ backend, inputs, attrs }: KernelArgs<AdamAttrs>): tf.TensorInfo[] {
  const f = Math.fround;
  const read = (t: tf.TensorInfo) => backend.data.get(t.dataId).values as ArrayLike<number>;
  const [x, m, v, g] = [inputs.x, inputs.m, inputs.v, inputs.g].map(read);
  const n = x.length;
  const x1 = new Float32Array(n), m1 = new Float32Array(n), v1 = new Float32Array(n);
  const { beta1, oneMinusBeta1, beta2, oneMinusBeta2, c1, c2, epsilon, negLr } = attrs;
  for (let i = 0; i < n; i++) {
    m1[i] = f(f(m[i] * beta1) + f(g[i] * oneMinusBeta1));
    v1[i] = f(f(v[i] * beta2) + f(f(g[i] * g[i]) * oneMinusBeta2));
    const mh = f(m1[i] / c1), vh = f(v1[i] / c2);
    x1[i] = f(f(f(mh / f(f(Math.sqrt(vh)) + epsilon)) * negLr) + x[i]);
  }
  const shape = inputs.x.shape;
  return [x1, m1, v1].map((d) => backend.makeTensorInfo(shape, "float32", d));
}
