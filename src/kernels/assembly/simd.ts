// Shared helpers of the WebAssembly SIMD kernels (see kernels.ts).

/**
 * acc + a·b: fused where the machine can when built with relaxed SIMD (kernels.wasm), a multiply
 * then an add in the plain-SIMD build (kernels_plain.wasm, for engines without relaxed SIMD).
 */
@inline export function fma(acc: v128, a: v128, b: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, acc);
  return f32x4.add(acc, f32x4.mul(a, b));
}
