import type { Quantization } from "../io/types.ts";

/** One weight as stored: its bytes in the shard and the manifest's `quantization` entry. */
export interface StoredWeight {
  /** Bytes for the shard (float32, float16, uint8 or uint16, little-endian). */
  bytes: Uint8Array;
  /** The converter's quantization entry, absent for plain float32 and int32. */
  quantization?: {
    dtype: "uint8" | "uint16" | "float16";
    min?: number;
    scale?: number;
    original_dtype: "float32";
  };
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** NumPy's `np.round`: halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** IEEE 754 binary16 bits of a float32, rounded to nearest even (NumPy's `astype(np.float16)`). */
export function toFloat16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // Inf or NaN
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // too large: Inf
  if (e <= 0) { // subnormal half: m × 2^-24
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && (half & 1))) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (half & 1))) half++; // a carry into the exponent is right
  return sign | half;
}

/**
 * The affine range of the Python converter's `_get_affine_quantization_range`: when the data
 * spans zero, `min` is nudged so that 0 maps exactly onto an integer (as TF-Lite does), which keeps
 * zero padding and zero weights exact.
 */
export function affineRange(
  min: number,
  max: number,
  levels: number,
): { scale: number; min: number; max: number } {
  const scale = (max - min) / levels;
  if (min <= 0 && 0 <= max) {
    const zeroPoint = roundHalfEven(-min / scale);
    const nudgedMin = -zeroPoint * scale;
    return { scale, min: nudgedMin, max: levels * scale + nudgedMin };
  }
  return { scale, min, max };
}

function affine(values: Float32Array, dtype: "uint8" | "uint16"): StoredWeight {
  const levels = dtype === "uint8" ? 255 : 65535;
  const out = dtype === "uint8" ? new Uint8Array(values.length) : new Uint16Array(values.length);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (values.length === 0 || lo === hi) {
    // One value: all codes 0, the value itself as min (the converter's special case).
    const min = values.length === 0 ? 0 : lo;
    return {
      bytes: new Uint8Array(out.buffer),
      quantization: { dtype, min, scale: 1, original_dtype: "float32" },
    };
  }
  const range = affineRange(lo, hi, levels);
  for (let i = 0; i < values.length; i++) {
    const clipped = Math.min(Math.max(values[i], range.min), range.max);
    out[i] = Math.min(levels, roundHalfEven((clipped - range.min) / range.scale));
  }
  return {
    bytes: new Uint8Array(out.buffer),
    quantization: { dtype, min: range.min, scale: range.scale, original_dtype: "float32" },
  };
}

/**
 * Stores float32 weights as the tfjs converter would with `--quantize_{float16,uint16,uint8}`:
 * uint8/uint16 affine with a zero-exact nudged range (`value ≈ code × scale + min`), float16 as
 * IEEE half, or unchanged float32 for `"none"`.
 */
export function quantizeWeights(values: Float32Array, quantization: Quantization): StoredWeight {
  if (quantization === "none") {
    return {
      bytes: new Uint8Array(
        values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength),
      ),
    };
  }
  if (quantization === "float16") {
    const half = new Uint16Array(values.length);
    for (let i = 0; i < values.length; i++) half[i] = toFloat16Bits(values[i]);
    return {
      bytes: new Uint8Array(half.buffer),
      quantization: { dtype: "float16", original_dtype: "float32" },
    };
  }
  return affine(values, quantization);
}
