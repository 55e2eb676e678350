/**
 * A fast CPU backend for tfjs: the "simd" backend keeps float32 tensors in WebAssembly memory and
 * runs convolutions, their gradients, matrix products, max pooling, softmax, Adam's update and
 * the element-wise ops of a training step in WebAssembly SIMD, and every other kernel as tfjs'
 * cpu backend does.
 *
 * @module
 */
export {
  type KernelCount,
  registerSimdBackend,
  SIMD_BACKEND,
  type SimdBackendOptions,
  simdKernelCounts,
} from "./register_simd_backend.ts";
export { adamOptimizer } from "./adam_optimizer.ts";
export { type SimdTrainStep, simdTrainStep, type SimdTrainStepOptions } from "./simd_train_step.ts";
export type { HeadOutcome } from "./_step_loss.ts";
