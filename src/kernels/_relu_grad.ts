/**
 * The gradient of relu as one kernel on "simd". tfjs computes it as `mul(dy, cast(step(x)))`:
 * three kernel calls and two passes over the activations. The gradient registered here runs
 * `SimdReluGrad` (one pass) when "simd" is the backend, and tfjs' own formula on any other.
 */
import * as tf from "@tensorflow/tfjs";
import type { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import { output, pointer } from "./_storage.ts";
import { run } from "./_threads.ts";

/** The kernel name of the fused relu gradient (inputs `dy`, `x`). */
export const RELU_GRAD = "SimdReluGrad";

/** dy · step(x) for float32 tensors of one shape, or null for the reference formula. */
export function reluGrad(
  backend: MathBackendCPU,
  dy: tf.TensorInfo,
  x: tf.TensorInfo,
): tf.TensorInfo | null {
  if (dy.dtype !== "float32" || x.dtype !== "float32") return null;
  const n = x.shape.reduce((p, q) => p * q, 1);
  if (dy.shape.reduce((p, q) => p * q, 1) !== n) return null;
  const pdy = pointer(backend, dy);
  const px = pdy === null ? null : pointer(backend, x);
  const out = px === null ? null : output(backend, x.shape);
  if (pdy === null || px === null || out === null) return null;
  run("reluGrad", [pdy, px, out.ptr, n]);
  return out.info;
}

/** dy · step(x) in JavaScript, for what {@linkcode reluGrad} declines (a full heap, int32). */
export function reluGradFallback(
  backend: MathBackendCPU,
  dy: tf.TensorInfo,
  x: tf.TensorInfo,
): tf.TensorInfo {
  const d = backend.data.get(dy.dataId).values as ArrayLike<number>;
  const v = backend.data.get(x.dataId).values as ArrayLike<number>;
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const s = v[i] !== v[i] ? NaN : v[i] > 0 ? 1 : 0;
    out[i] = d[i] * s;
  }
  return backend.makeTensorInfo(x.shape, "float32", out);
}

/** tfjs' own relu gradient: the fallback, and what the fused kernel must equal. */
function referenceReluGrad(dy: tf.Tensor, x: tf.Tensor): tf.Tensor {
  return tf.mul(dy, tf.cast(tf.step(x), "float32"));
}

/**
 * Registers the gradient of `Relu` that uses {@linkcode RELU_GRAD} on `backendName`, and the
 * gradient of that kernel (for second derivatives). Idempotent.
 */
export function registerReluGrad(backendName: string): void {
  tf.registerGradient({
    kernelName: "Relu",
    inputsToSave: ["x"],
    gradFunc: (dy, saved) => {
      const [x] = saved;
      const d = dy as tf.Tensor;
      if (tf.getBackend() !== backendName) return { x: () => referenceReluGrad(d, x) };
      return { x: () => tf.engine().runKernel(RELU_GRAD, { dy: d, x }, {}) as tf.Tensor };
    },
  });
  tf.registerGradient({
    kernelName: RELU_GRAD,
    inputsToSave: ["x"],
    gradFunc: (g, saved) => {
      const [x] = saved;
      return {
        dy: () => referenceReluGrad(g as tf.Tensor, x),
        x: () => tf.zerosLike(x),
      };
    },
  });
}
