/**
 * Backend selection: WebGPU on a hardware adapter, our WebAssembly SIMD kernels on the CPU, or
 * tfjs' own `cpu` and `wasm` backends.
 *
 * @module
 */
export * from "./select_backend.ts";
export * from "./wasm.ts";
