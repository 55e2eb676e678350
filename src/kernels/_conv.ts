/** Conv2D, FusedConv2D and both convolution gradients via im2col + the SIMD GEMM (NHWC only). */
import type * as tf from "@tensorflow/tfjs";
import type { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import { split } from "./_threads.ts";
import { f32, reserve, wasm } from "./_wasm.ts";

type Info = tf.backend_util.Conv2DInfo;

/** Rows of im2col per wasm call, so that big batches (prediction) keep the buffer small. */
const MAX_COL_FLOATS = 1 << 22;

/** Float32 contents of a tensor held by the CPU backend. */
export function values(backend: MathBackendCPU, t: tf.TensorInfo): Float32Array {
  const v = backend.data.get(t.dataId).values;
  if (v instanceof Float32Array) return v;
  return Float32Array.from(v as ArrayLike<number>);
}

/** Whether a convolution is one these kernels handle (NHWC, float32, no depthwise tricks). */
export function supported(info: Info, ...tensors: tf.TensorInfo[]): boolean {
  return info.dataFormat === "channelsLast" && tensors.every((t) => t.dtype === "float32");
}

function geometry(info: Info): number[] {
  return [
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.dilationHeight,
    info.dilationWidth,
    info.padInfo.top,
    info.padInfo.left,
  ];
}

function batchChunk(info: Info, kc: number): number {
  const perImage = info.outHeight * info.outWidth * kc;
  return Math.max(1, Math.min(info.batchSize, Math.floor(MAX_COL_FLOATS / perImage)));
}

/**
 * y = act(conv(x, filter) + bias) with act in {linear, relu}; filter [KH,KW,C,CO].
 * Returns the output as a [B,OH,OW,CO] float32 array.
 */
export function convForward(
  x: Float32Array,
  filter: Float32Array,
  bias: Float32Array | null,
  relu: boolean,
  info: Info,
): Float32Array {
  const kc = info.filterHeight * info.filterWidth * info.inChannels;
  const co = info.outChannels;
  const inImage = info.inHeight * info.inWidth * info.inChannels;
  const outRows = info.outHeight * info.outWidth;
  const chunk = batchChunk(info, kc);
  const out = new Float32Array(info.batchSize * outRows * co);
  const [pw, pb, px, pcol, py] = reserve(
    kc * co,
    co,
    chunk * inImage,
    chunk * outRows * kc,
    chunk * outRows * co,
  );
  f32(pw, kc * co).set(filter);
  if (bias !== null) f32(pb, co).set(bias);
  for (let b0 = 0; b0 < info.batchSize; b0 += chunk) {
    const nb = Math.min(chunk, info.batchSize - b0);
    f32(px, nb * inImage).set(x.subarray(b0 * inImage, (b0 + nb) * inImage));
    split("convForward", nb, (i) => [
      px + i * inImage * 4,
      pw,
      pb,
      pcol + i * outRows * kc * 4,
      py + i * outRows * co * 4,
    ], (n) => [n, ...geometry(info), co, bias === null ? 0 : 1, relu ? 1 : 0]);
    out.set(f32(py, nb * outRows * co), b0 * outRows * co);
  }
  return out;
}

/** dx [B,H,W,C] = col2im(dy · filterᵀ), the gradient of a convolution by its input. */
export function convBackpropInput(
  dy: Float32Array,
  filter: Float32Array,
  info: Info,
): Float32Array {
  const kc = info.filterHeight * info.filterWidth * info.inChannels;
  const co = info.outChannels;
  const inImage = info.inHeight * info.inWidth * info.inChannels;
  const outRows = info.outHeight * info.outWidth;
  const chunk = batchChunk(info, kc);
  const dx = new Float32Array(info.batchSize * inImage);
  const [pw, pwt, pdy, pcol, pdx] = reserve(
    kc * co,
    kc * co,
    chunk * outRows * co,
    chunk * outRows * kc,
    chunk * inImage,
  );
  f32(pw, kc * co).set(filter);
  wasm().transpose(pw, pwt, kc, co); // [CO, KC]
  for (let b0 = 0; b0 < info.batchSize; b0 += chunk) {
    const nb = Math.min(chunk, info.batchSize - b0);
    f32(pdy, nb * outRows * co).set(dy.subarray(b0 * outRows * co, (b0 + nb) * outRows * co));
    split("convInput", nb, (i) => [
      pdy + i * outRows * co * 4,
      pwt,
      pcol + i * outRows * kc * 4,
      pdx + i * inImage * 4,
    ], (n) => [n, ...geometry(info), co]);
    dx.set(f32(pdx, nb * inImage), b0 * inImage);
  }
  return dx;
}

/** dW [KH,KW,C,CO] = im2col(x)ᵀ · dy, the gradient of a convolution by its filter. */
export function convBackpropFilter(x: Float32Array, dy: Float32Array, info: Info): Float32Array {
  const kc = info.filterHeight * info.filterWidth * info.inChannels;
  const co = info.outChannels;
  const inImage = info.inHeight * info.inWidth * info.inChannels;
  const outRows = info.outHeight * info.outWidth;
  const chunk = batchChunk(info, kc);
  // Each thread sums its images into its own dW; the two are added at the end.
  const [pdw, pdw2, px, pcol, pdy] = reserve(
    kc * co,
    kc * co,
    chunk * inImage,
    chunk * outRows * kc,
    chunk * outRows * co,
  );
  f32(pdw, kc * co).fill(0);
  f32(pdw2, kc * co).fill(0);
  for (let b0 = 0; b0 < info.batchSize; b0 += chunk) {
    const nb = Math.min(chunk, info.batchSize - b0);
    f32(px, nb * inImage).set(x.subarray(b0 * inImage, (b0 + nb) * inImage));
    f32(pdy, nb * outRows * co).set(dy.subarray(b0 * outRows * co, (b0 + nb) * outRows * co));
    split("convFilter", nb, (i, helper) => [
      px + i * inImage * 4,
      pdy + i * outRows * co * 4,
      pcol + i * outRows * kc * 4,
      helper ? pdw2 : pdw,
    ], (n) => [n, ...geometry(info), co, 1]);
  }
  const dw = f32(pdw, kc * co).slice();
  const dw2 = f32(pdw2, kc * co);
  for (let i = 0; i < dw.length; i++) dw[i] += dw2[i];
  return dw;
}
