// Shared helpers of the WebAssembly SIMD kernels (see kernels.ts).

/** acc + a·b, fused where the machine can (relaxed SIMD). */
@inline export function fma(acc: v128, a: v128, b: v128): v128 {
  return f32x4.relaxed_madd(a, b, acc);
}
