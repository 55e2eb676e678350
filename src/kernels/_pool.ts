/** MaxPool and MaxPoolGrad on NHWC float32, matching tfjs' cpu kernels (first maximum wins). */
import type * as tf from "@tensorflow/tfjs";
import { split } from "./_threads.ts";
import { f32, reserve } from "./_wasm.ts";

type PoolInfo = tf.backend_util.Conv2DInfo;

/** The window geometry in the argument order of the wasm kernels, after B. */
function geometry(info: PoolInfo): number[] {
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

/** Channels in whole SIMD lanes: the wasm kernels apply (both layers of the model). */
function simdable(info: PoolInfo): boolean {
  return info.inChannels % 4 === 0;
}

/** y[b,oy,ox,c] = max over the window; -Infinity for a window wholly in the padding. */
export function maxPool(x: Float32Array, info: PoolInfo): Float32Array {
  const { batchSize: nb, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } =
    info;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { filterHeight: fh, filterWidth: fw } = info;
  const top = info.padInfo.top, left = info.padInfo.left;
  if (simdable(info)) {
    const [px, py] = reserve(x.length, nb * oh * ow * c);
    f32(px, x.length).set(x);
    const inImage = h * w * c, outImage = oh * ow * c;
    split("maxPool", nb, (i) => [px + i * inImage * 4, py + i * outImage * 4], (n) => [
      n,
      ...geometry(info),
    ]);
    return f32(py, nb * oh * ow * c).slice();
  }
  const y = new Float32Array(nb * oh * ow * c).fill(-Infinity);
  let o = 0;
  for (let b = 0; b < nb; b++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++, o += c) {
        for (let ky = 0; ky < fh; ky++) {
          const yy = oy * sh - top + ky * dh;
          if (yy < 0 || yy >= h) continue;
          for (let kx = 0; kx < fw; kx++) {
            const xx = ox * sw - left + kx * dw;
            if (xx < 0 || xx >= w) continue;
            const src = ((b * h + yy) * w + xx) * c;
            for (let ch = 0; ch < c; ch++) {
              const v = x[src + ch];
              if (v > y[o + ch] || v !== v) y[o + ch] = v;
            }
          }
        }
      }
    }
  }
  return y;
}

/** dx = dy routed to the first maximum of each window (the gradient of {@linkcode maxPool}). */
export function maxPoolGrad(dy: Float32Array, x: Float32Array, info: PoolInfo): Float32Array {
  const { batchSize: nb, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } =
    info;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { filterHeight: fh, filterWidth: fw } = info;
  const top = info.padInfo.top, left = info.padInfo.left;
  if (simdable(info)) {
    const [pdy, px, pdx] = reserve(dy.length, x.length, x.length);
    f32(pdy, dy.length).set(dy);
    f32(px, x.length).set(x);
    const inImage = h * w * c, outImage = oh * ow * c;
    split("maxPoolGrad", nb, (i) => [
      pdy + i * outImage * 4,
      px + i * inImage * 4,
      pdx + i * inImage * 4,
    ], (n) => [n, ...geometry(info)]);
    return f32(pdx, x.length).slice();
  }
  const dx = new Float32Array(nb * h * w * c);
  const best = new Float32Array(c);
  const at = new Int32Array(c);
  let o = 0;
  for (let b = 0; b < nb; b++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++, o += c) {
        best.fill(-Infinity);
        at.fill(-1);
        for (let ky = 0; ky < fh; ky++) {
          const yy = oy * sh - top + ky * dh;
          if (yy < 0 || yy >= h) continue;
          for (let kx = 0; kx < fw; kx++) {
            const xx = ox * sw - left + kx * dw;
            if (xx < 0 || xx >= w) continue;
            const src = ((b * h + yy) * w + xx) * c;
            for (let ch = 0; ch < c; ch++) {
              if (x[src + ch] > best[ch]) {
                best[ch] = x[src + ch];
                at[ch] = src + ch;
              }
            }
          }
        }
        for (let ch = 0; ch < c; ch++) if (at[ch] >= 0) dx[at[ch]] += dy[o + ch];
      }
    }
  }
  return dx;
}
