/** tf.train.adam whose update runs as one kernel per variable on the "simd" backend. */
import type * as tf from "@tensorflow/tfjs";
import { FusedAdamOptimizer } from "./_fused_adam.ts";
import { registerWebGpuAdam } from "./_webgpu_adam.ts";

registerWebGpuAdam();

/**
 * `tf.train.adam(learningRate, beta1, beta2, epsilon)` whose update of each variable runs as one
 * `SimdAdam` kernel when the current backend has it, instead of tfjs' 14 kernels per variable.
 * On "simd" the arithmetic is tfjs' own, operation for operation in float32, so the weights are
 * the same bit for bit; on "webgpu" the same operations run as three compute passes (equal to
 * within float32 rounding, as the GPU may fuse a multiply and an add). On other backends it is
 * tfjs' optimizer unchanged. It saves, loads and
 * serialises as tfjs' Adam does (class name "Adam").
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { adamOptimizer, registerSimdBackend } from "./mod.ts";
 * import { equal } from "node:assert/strict";
 * await registerSimdBackend();
 * await tf.setBackend("simd");
 * const w = tf.variable(tf.tensor1d([1, 2]));
 * adamOptimizer(0.1).minimize(() => w.square().sum());
 * equal((await w.data())[0] < 1, true);
 * ```
 */
export function adamOptimizer(
  learningRate = 0.001,
  beta1 = 0.9,
  beta2 = 0.999,
  epsilon?: number,
): tf.AdamOptimizer {
  return new FusedAdamOptimizer(learningRate, beta1, beta2, epsilon);
}
