/**
 * A fast CPU backend for tfjs: the "simd" backend runs convolutions, their gradients, matrix
 * products and max pooling in WebAssembly SIMD and every other kernel as tfjs' cpu backend does.
 *
 * @module
 */
export {
  registerSimdBackend,
  SIMD_BACKEND,
  type SimdBackendOptions,
} from "./register_simd_backend.ts";
