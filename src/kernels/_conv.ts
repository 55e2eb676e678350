/**
 * Conv2D, FusedConv2D and both convolution gradients via im2col + the SIMD GEMM (NHWC only), on
 * tensors in the WebAssembly heap. Each returns null when the heap is full (the reference runs).
 */
import type * as tf from "@tensorflow/tfjs";
import type { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import { hasHelper, run, split } from "./_threads.ts";
import { f32, reserve } from "./_heap.ts";
import { output, pointer } from "./_storage.ts";

type Info = tf.backend_util.Conv2DInfo;

/** Rows of im2col per wasm call, so that big batches (prediction) keep the buffer small. */
const MAX_COL_FLOATS = 1 << 22;

/** Whether a convolution is one these kernels handle (NHWC, float32, no depthwise tricks). */
export function supported(info: Info, ...tensors: tf.TensorInfo[]): boolean {
  return info.dataFormat === "channelsLast" && tensors.every((t) => t.dtype === "float32");
}

/** A window's geometry in the argument order of the wasm kernels, after B (convolution and pooling). */
export function geometry(info: Info): number[] {
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

/** Heap addresses of the tensors, or null when one cannot get there. */
function pointers(backend: MathBackendCPU, ...ts: tf.TensorInfo[]): number[] | null {
  const ps: number[] = [];
  for (const t of ts) {
    const p = pointer(backend, t);
    if (p === null) return null;
    ps.push(p);
  }
  return ps;
}

/** y [B,OH,OW,CO] = act(conv(x, filter) + bias) with act in {linear, relu}; filter [KH,KW,C,CO]. */
export function convForward(
  backend: MathBackendCPU,
  x: tf.TensorInfo,
  filter: tf.TensorInfo,
  info: Info,
  epilogue: { bias: tf.TensorInfo | null; relu: boolean },
): tf.TensorInfo | null {
  const { bias, relu } = epilogue;
  const ps = pointers(backend, x, filter, ...(bias === null ? [] : [bias]));
  const out = ps === null ? null : output(backend, info.outShape);
  if (ps === null || out === null) return null;
  const [px, pw, pb = 0] = ps;
  convForwardAt(info, px, pw, bias === null ? null : pb, out.ptr, relu);
  return out.info;
}

/**
 * {@linkcode convForward} on heap addresses: y = act(conv(x, w) + bias); `pb` null for no bias.
 */
export function convForwardAt(
  info: Info,
  px: number,
  pw: number,
  pb: number | null,
  py: number,
  relu: boolean,
): void {
  const kc = info.filterHeight * info.filterWidth * info.inChannels;
  const co = info.outChannels;
  const inImage = info.inHeight * info.inWidth * info.inChannels;
  const outRows = info.outHeight * info.outWidth;
  const chunk = batchChunk(info, kc);
  const [pcol] = reserve(chunk * outRows * kc);
  for (let b0 = 0; b0 < info.batchSize; b0 += chunk) {
    const nb = Math.min(chunk, info.batchSize - b0);
    split(
      "convForward",
      nb,
      [px + b0 * inImage * 4, pw, pb ?? 0, pcol, py + b0 * outRows * co * 4],
      [inImage * 4, 0, 0, outRows * kc * 4, outRows * co * 4],
      [...geometry(info), co, pb === null ? 0 : 1, relu ? 1 : 0],
    );
  }
}

/** dx [B,H,W,C] = col2im(dy · filterᵀ), the gradient of a convolution by its input. */
export function convBackpropInput(
  backend: MathBackendCPU,
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  info: Info,
): tf.TensorInfo | null {
  const ps = pointers(backend, dy, filter);
  const out = ps === null ? null : output(backend, info.inShape);
  if (ps === null || out === null) return null;
  const [pdy, pw] = ps;
  convInputAt(info, pdy, pw, out.ptr);
  return out.info;
}

/** {@linkcode convBackpropInput} on heap addresses. */
export function convInputAt(info: Info, pdy: number, pw: number, pdx: number): void {
  const kc = info.filterHeight * info.filterWidth * info.inChannels;
  const co = info.outChannels;
  const inImage = info.inHeight * info.inWidth * info.inChannels;
  const outRows = info.outHeight * info.outWidth;
  const chunk = batchChunk(info, kc);
  const [pwt, pcol] = reserve(kc * co, chunk * outRows * kc);
  run("transpose", [pw, pwt, kc, co]); // [CO, KC]
  for (let b0 = 0; b0 < info.batchSize; b0 += chunk) {
    const nb = Math.min(chunk, info.batchSize - b0);
    split(
      "convInput",
      nb,
      [pdy + b0 * outRows * co * 4, pwt, pcol, pdx + b0 * inImage * 4],
      [outRows * co * 4, 0, outRows * kc * 4, inImage * 4],
      [...geometry(info), co],
    );
  }
}

/** dW [KH,KW,C,CO] = im2col(x)ᵀ · dy, the gradient of a convolution by its filter. */
export function convBackpropFilter(
  backend: MathBackendCPU,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  filterShape: number[],
  info: Info,
): tf.TensorInfo | null {
  const ps = pointers(backend, x, dy);
  const out = ps === null ? null : output(backend, filterShape);
  if (ps === null || out === null) return null;
  const [px, pdy] = ps;
  convFilterAt(info, px, pdy, out.ptr);
  return out.info;
}

/** {@linkcode convBackpropFilter} on heap addresses (dW is overwritten). */
export function convFilterAt(info: Info, px: number, pdy: number, pdw: number): void {
  const kc = info.filterHeight * info.filterWidth * info.inChannels;
  const co = info.outChannels;
  const inImage = info.inHeight * info.inWidth * info.inChannels;
  const outRows = info.outHeight * info.outWidth;
  const chunk = batchChunk(info, kc);
  // Each thread sums its images into its own dW; the two are added at the end.
  const [pdw2, pcol] = reserve(kc * co, chunk * outRows * kc);
  f32(pdw, kc * co).fill(0);
  f32(pdw2, kc * co).fill(0);
  for (let b0 = 0; b0 < info.batchSize; b0 += chunk) {
    const nb = Math.min(chunk, info.batchSize - b0);
    const bases = [px + b0 * inImage * 4, pdy + b0 * outRows * co * 4, pcol, pdw];
    split(
      "convFilter",
      nb,
      bases,
      [inImage * 4, outRows * co * 4, outRows * kc * 4, 0],
      [...geometry(info), co, 1],
      [...bases.slice(0, 3), pdw2],
    );
  }
  if (hasHelper()) run("binary", [0, 0, pdw, pdw2, pdw, kc * co, kc * co]);
}
