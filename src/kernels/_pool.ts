/**
 * MaxPool and MaxPoolGrad on NHWC float32 with whole SIMD lanes of channels (C % 4 == 0, both
 * layers of the model), matching tfjs' cpu kernels (first maximum wins). Other cases, or a full
 * heap, return null so that the reference kernel runs.
 */
import type * as tf from "@tensorflow/tfjs";
import type { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import { split } from "./_threads.ts";
import { output, pointer } from "./_storage.ts";
import { geometry } from "./_conv.ts";

type PoolInfo = tf.backend_util.Conv2DInfo;

/** Channels in whole SIMD lanes: the wasm kernels apply (both layers of the model). */
export function simdable(info: PoolInfo): boolean {
  return info.inChannels % 4 === 0;
}

/** y[b,oy,ox,c] = max over the window; -Infinity for a window wholly in the padding. */
export function maxPool(
  backend: MathBackendCPU,
  x: tf.TensorInfo,
  info: PoolInfo,
): tf.TensorInfo | null {
  if (!simdable(info)) return null;
  const px = pointer(backend, x);
  const out = px === null ? null : output(backend, info.outShape);
  if (px === null || out === null) return null;
  maxPoolAt(info, px, out.ptr);
  return out.info;
}

/** {@linkcode maxPool} on heap addresses (C % 4 == 0). */
export function maxPoolAt(info: PoolInfo, px: number, py: number): void {
  const inImage = info.inHeight * info.inWidth * info.inChannels;
  const outImage = info.outHeight * info.outWidth * info.inChannels;
  split("maxPool", info.batchSize, [px, py], [inImage * 4, outImage * 4], geometry(info));
}

/** dx = dy routed to the first maximum of each window (the gradient of {@linkcode maxPool}). */
export function maxPoolGrad(
  backend: MathBackendCPU,
  dy: tf.TensorInfo,
  x: tf.TensorInfo,
  info: PoolInfo,
): tf.TensorInfo | null {
  if (!simdable(info)) return null;
  const pdy = pointer(backend, dy);
  const px = pdy === null ? null : pointer(backend, x);
  const out = px === null ? null : output(backend, x.shape);
  if (pdy === null || px === null || out === null) return null;
  maxPoolGradAt(info, pdy, px, out.ptr);
  return out.info;
}

/** {@linkcode maxPoolGrad} on heap addresses (C % 4 == 0). */
export function maxPoolGradAt(info: PoolInfo, pdy: number, px: number, pdx: number): void {
  const inImage = info.inHeight * info.inWidth * info.inChannels;
  const outImage = info.outHeight * info.outWidth * info.inChannels;
  split(
    "maxPoolGrad",
    info.batchSize,
    [pdy, px, pdx],
    [outImage * 4, inImage * 4, inImage * 4],
    geometry(info),
  );
}
