// WebAssembly SIMD kernels for the "simd" tfjs backend (AssemblyScript, built by
// `deno task build:kernels`). Every pointer is a byte offset into the exported memory; the
// TypeScript side lays buffers out from `heapStart()` and grows memory as needed.
// Matrices are row-major float32 unless a stride says otherwise.
//
// The kernels live in one file per family; this entry file exports them all.

export function heapStart(): usize {
  return (__heap_base + 63) & ~63;
}

export { biasAct, gemm, transpose } from "./gemm";
export { col2im, im2col } from "./im2col";
export { maxPool, maxPoolGrad } from "./pool";
export { convFilter, convForward, convInput } from "./conv";
export { binary, reluGrad, sumCols, sumRows, unary } from "./elementwise";
export { adam } from "./adam";
