import * as tf from "@tensorflow/tfjs";
import { deepEqual, equal, ok } from "node:assert/strict";
import {
  affineRange,
  quantizeWeights,
  roundHalfEven,
  toFloat16Bits,
} from "../src/export/_quantize.ts";

const f16round = (Math as unknown as { f16round?: (x: number) => number }).f16round;

/** float16 bits back to a number (IEEE 754 binary16). */
function fromFloat16Bits(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

Deno.test("roundHalfEven() rounds halves to the even neighbour as NumPy does", () => {
  deepEqual([0.5, 1.5, 2.5, -0.5, -1.5, 2.4, 2.6].map(roundHalfEven), [0, 2, 2, -0, -2, 2, 3]);
});

Deno.test("toFloat16Bits() rounds to nearest even, keeps subnormals, overflows to Infinity", () => {
  equal(toFloat16Bits(1), 0x3c00);
  equal(toFloat16Bits(-2), 0xc000);
  equal(toFloat16Bits(65504), 0x7bff);
  equal(toFloat16Bits(65520), 0x7c00); // halfway to the next binade: rounds up to Infinity
  equal(toFloat16Bits(2 ** -24), 0x0001);
  equal(toFloat16Bits(2 ** -26), 0x0000);
  equal(toFloat16Bits(1 + 2 ** -11), 0x3c00); // a tie goes to the even mantissa
  equal(toFloat16Bits(1 + 3 * 2 ** -11), 0x3c02);
  ok(Number.isNaN(fromFloat16Bits(toFloat16Bits(NaN))));
  // Against the platform's own float16 rounding, when it has one, on many values.
  const values = Float32Array.from(
    { length: 20_000 },
    (_, i) => Math.sin(i * 12.9898) * 10 ** ((i % 14) - 8),
  );
  for (const v of values) {
    const ours = fromFloat16Bits(toFloat16Bits(v));
    const expected = f16round ? f16round(v) : v;
    if (f16round) {
      equal(Object.is(ours, expected) || ours === expected, true, `${v}: ${ours} vs ${expected}`);
    } else ok(Math.abs(ours - v) <= Math.abs(v) * 2 ** -11 + 2 ** -25);
  }
});

Deno.test("affineRange() nudges min so that zero is exactly representable", () => {
  for (const [lo, hi] of [[-0.37, 1.21], [-3, 0.001], [-1e-3, 5]]) {
    const { scale, min } = affineRange(lo, hi, 255);
    const zeroCode = -min / scale;
    ok(Math.abs(zeroCode - Math.round(zeroCode)) < 1e-9, `zero maps to ${zeroCode}`);
    equal(Math.round(zeroCode) * scale + min, 0);
  }
  // A range that does not cover zero is left alone.
  deepEqual(affineRange(1, 2, 255), { scale: 1 / 255, min: 1, max: 2 });
});

Deno.test("quantizeWeights() reproduces the Python converter's documented uint8 example", () => {
  const stored = quantizeWeights(Float32Array.of(0, -0.1, 1.2), "uint8");
  deepEqual([...stored.bytes], [20, 0, 255]);
  const q = stored.quantization!;
  equal(q.dtype, "uint8");
  equal(q.original_dtype, "float32");
  ok(Math.abs(q.min! - -0.10196078817) < 1e-9, `min ${q.min}`);
  ok(Math.abs(q.scale! - 0.00509803940852) < 1e-11, `scale ${q.scale}`);
});

Deno.test("quantizeWeights() output decodes in tfjs within half a step of the original", () => {
  const values = Float32Array.from({ length: 999 }, (_, i) => Math.sin(i) * 0.3 - 0.05);
  values[17] = 0;
  for (const dtype of ["uint8", "uint16", "float16", "none"] as const) {
    const stored = quantizeWeights(values, dtype);
    const spec: tf.io.WeightsManifestEntry = { name: "w", shape: [999], dtype: "float32" };
    if (stored.quantization) spec.quantization = stored.quantization;
    const buffer = stored.bytes.slice().buffer;
    const decoded = tf.io.decodeWeights(buffer, [spec]).w;
    const back = decoded.dataSync();
    decoded.dispose();
    const step = stored.quantization?.scale ?? 0;
    const bound = dtype === "float16" ? 2 ** -12 : dtype === "none" ? 0 : step / 2 + 1e-7;
    for (let i = 0; i < values.length; i++) {
      ok(Math.abs(back[i] - values[i]) <= bound, `${dtype} [${i}]: ${back[i]} vs ${values[i]}`);
    }
    equal(back[17], 0, `${dtype} keeps zero exact`);
    equal(stored.bytes.length, 999 * { uint8: 1, uint16: 2, float16: 2, none: 4 }[dtype]);
  }
});

Deno.test("quantizeWeights() stores a constant tensor as zeros with min = the value", () => {
  const stored = quantizeWeights(new Float32Array(4).fill(0.25), "uint8");
  deepEqual([...stored.bytes], [0, 0, 0, 0]);
  deepEqual(stored.quantization, {
    dtype: "uint8",
    min: 0.25,
    scale: 1,
    original_dtype: "float32",
  });
});
