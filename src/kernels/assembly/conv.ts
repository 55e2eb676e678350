// Whole convolution steps over a run of images (see kernels.ts).
import { fma } from "./simd";
import { biasAct, gemm } from "./gemm";
import { col2im, im2col } from "./im2col";

// Whole convolution steps over a run of B images, so that one call is one thread's share. They
// go a few images at a time so that the im2col buffer of a group (<= 256 KiB) is still in L2
// when the GEMM reads it.

const GROUP_FLOATS: i32 = 1 << 16;

@inline function group(perImage: i32, B: i32): i32 {
  return max(1, min(B, GROUP_FLOATS / perImage));
}

/**
 * Whether a convolution takes the direct path for one input channel (the model's first layer):
 * no im2col, the 5×5 window read straight from the image. Stride 1, no dilation, no padding,
 * output channels in pairs of SIMD vectors.
 */
@inline function directC1(C: i32, CO: i32, sh: i32, sw: i32, dh: i32, dw: i32, padT: i32, padL: i32): bool {
  return C == 1 && CO % 8 == 0 && sh == 1 && sw == 1 && dh == 1 && dw == 1 && padT == 0 && padL == 0;
}

/** y [B,OH,OW,CO] = conv(x [B,H,W,1], w [KH,KW,1,CO]), 4 pixels × 8 channels per register tile. */
function convForwardC1(
  x: usize, w: usize, y: usize, B: i32, H: i32, W: i32, OH: i32, OW: i32, KH: i32, KW: i32, CO: i32,
): void {
  const sco = <usize>CO << 2;
  for (let b = 0; b < B; b++) {
    const xb = x + (<usize>(b * H * W) << 2);
    for (let oy = 0; oy < OH; oy++) {
      const yr = y + (<usize>((b * OH + oy) * OW * CO) << 2);
      for (let c0 = 0; c0 < CO; c0 += 8) {
        let ox = 0;
        for (; ox + 6 <= OW; ox += 6) {
          let a00 = f32x4.splat(0), a01 = f32x4.splat(0), a10 = f32x4.splat(0), a11 = f32x4.splat(0);
          let a20 = f32x4.splat(0), a21 = f32x4.splat(0), a30 = f32x4.splat(0), a31 = f32x4.splat(0);
          let a40 = f32x4.splat(0), a41 = f32x4.splat(0), a50 = f32x4.splat(0), a51 = f32x4.splat(0);
          for (let ky = 0; ky < KH; ky++) {
            let px = xb + (<usize>((oy + ky) * W + ox) << 2);
            let pw = w + (<usize>(ky * KW * CO + c0) << 2);
            for (let kx = 0; kx < KW; kx++) {
              const v0 = v128.load(pw), v1 = v128.load(pw, 16);
              let s = v128.load32_splat(px);
              a00 = fma(a00, s, v0); a01 = fma(a01, s, v1);
              s = v128.load32_splat(px, 4);
              a10 = fma(a10, s, v0); a11 = fma(a11, s, v1);
              s = v128.load32_splat(px, 8);
              a20 = fma(a20, s, v0); a21 = fma(a21, s, v1);
              s = v128.load32_splat(px, 12);
              a30 = fma(a30, s, v0); a31 = fma(a31, s, v1);
              s = v128.load32_splat(px, 16);
              a40 = fma(a40, s, v0); a41 = fma(a41, s, v1);
              s = v128.load32_splat(px, 20);
              a50 = fma(a50, s, v0); a51 = fma(a51, s, v1);
              px += 4;
              pw += sco;
            }
          }
          const py = yr + (<usize>(ox * CO + c0) << 2);
          v128.store(py, a00); v128.store(py, a01, 16);
          v128.store(py + sco, a10); v128.store(py + sco, a11, 16);
          v128.store(py + 2 * sco, a20); v128.store(py + 2 * sco, a21, 16);
          v128.store(py + 3 * sco, a30); v128.store(py + 3 * sco, a31, 16);
          v128.store(py + 4 * sco, a40); v128.store(py + 4 * sco, a41, 16);
          v128.store(py + 5 * sco, a50); v128.store(py + 5 * sco, a51, 16);
        }
        for (; ox + 4 <= OW; ox += 4) {
          let a00 = f32x4.splat(0), a01 = f32x4.splat(0), a10 = f32x4.splat(0), a11 = f32x4.splat(0);
          let a20 = f32x4.splat(0), a21 = f32x4.splat(0), a30 = f32x4.splat(0), a31 = f32x4.splat(0);
          for (let ky = 0; ky < KH; ky++) {
            let px = xb + (<usize>((oy + ky) * W + ox) << 2);
            let pw = w + (<usize>(ky * KW * CO + c0) << 2);
            for (let kx = 0; kx < KW; kx++) {
              const v0 = v128.load(pw), v1 = v128.load(pw, 16);
              let s = v128.load32_splat(px);
              a00 = fma(a00, s, v0); a01 = fma(a01, s, v1);
              s = v128.load32_splat(px, 4);
              a10 = fma(a10, s, v0); a11 = fma(a11, s, v1);
              s = v128.load32_splat(px, 8);
              a20 = fma(a20, s, v0); a21 = fma(a21, s, v1);
              s = v128.load32_splat(px, 12);
              a30 = fma(a30, s, v0); a31 = fma(a31, s, v1);
              px += 4;
              pw += sco;
            }
          }
          const py = yr + (<usize>(ox * CO + c0) << 2);
          v128.store(py, a00); v128.store(py, a01, 16);
          v128.store(py + sco, a10); v128.store(py + sco, a11, 16);
          v128.store(py + 2 * sco, a20); v128.store(py + 2 * sco, a21, 16);
          v128.store(py + 3 * sco, a30); v128.store(py + 3 * sco, a31, 16);
        }
        for (; ox < OW; ox++) {
          let a0 = f32x4.splat(0), a1 = f32x4.splat(0);
          for (let ky = 0; ky < KH; ky++) {
            let px = xb + (<usize>((oy + ky) * W + ox) << 2);
            let pw = w + (<usize>(ky * KW * CO + c0) << 2);
            for (let kx = 0; kx < KW; kx++) {
              const s = v128.load32_splat(px);
              a0 = fma(a0, s, v128.load(pw)); a1 = fma(a1, s, v128.load(pw, 16));
              px += 4;
              pw += sco;
            }
          }
          const py = yr + (<usize>(ox * CO + c0) << 2);
          v128.store(py, a0); v128.store(py, a1, 16);
        }
      }
    }
  }
}

/**
 * dW [KH,KW,1,CO] (+)= Σ x[b, oy+ky, ox+kx] · dy[b, oy, ox, :]: one window row (KW taps × 8
 * channels) of accumulators at a time.
 */
function convFilterC1(
  x: usize, dy: usize, dW: usize, B: i32, H: i32, W: i32, OH: i32, OW: i32, KH: i32, KW: i32,
  CO: i32, accumulate: i32,
): void {
  const sco = <usize>CO << 2;
  if (accumulate == 0) memory.fill(dW, 0, <usize>(KH * KW * CO) << 2);
  for (let ky = 0; ky < KH; ky++) {
    for (let c0 = 0; c0 < CO; c0 += 8) {
      for (let kx0 = 0; kx0 < KW; kx0 += 5) {
        const taps = min(5, KW - kx0);
        let a00 = f32x4.splat(0), a01 = f32x4.splat(0), a10 = f32x4.splat(0), a11 = f32x4.splat(0);
        let a20 = f32x4.splat(0), a21 = f32x4.splat(0), a30 = f32x4.splat(0), a31 = f32x4.splat(0);
        let a40 = f32x4.splat(0), a41 = f32x4.splat(0);
        for (let b = 0; b < B; b++) {
          for (let oy = 0; oy < OH; oy++) {
            let px = x + (<usize>((b * H + oy + ky) * W + kx0) << 2);
            let pd = dy + (<usize>((b * OH + oy) * OW * CO + c0) << 2);
            if (taps == 5) {
              for (let ox = 0; ox < OW; ox++) {
                const d0 = v128.load(pd), d1 = v128.load(pd, 16);
                let s = v128.load32_splat(px);
                a00 = fma(a00, s, d0); a01 = fma(a01, s, d1);
                s = v128.load32_splat(px, 4);
                a10 = fma(a10, s, d0); a11 = fma(a11, s, d1);
                s = v128.load32_splat(px, 8);
                a20 = fma(a20, s, d0); a21 = fma(a21, s, d1);
                s = v128.load32_splat(px, 12);
                a30 = fma(a30, s, d0); a31 = fma(a31, s, d1);
                s = v128.load32_splat(px, 16);
                a40 = fma(a40, s, d0); a41 = fma(a41, s, d1);
                px += 4;
                pd += sco;
              }
            } else {
              for (let ox = 0; ox < OW; ox++) {
                const d0 = v128.load(pd), d1 = v128.load(pd, 16);
                let s = v128.load32_splat(px);
                a00 = fma(a00, s, d0); a01 = fma(a01, s, d1);
                if (taps > 1) { s = v128.load32_splat(px, 4); a10 = fma(a10, s, d0); a11 = fma(a11, s, d1); }
                if (taps > 2) { s = v128.load32_splat(px, 8); a20 = fma(a20, s, d0); a21 = fma(a21, s, d1); }
                if (taps > 3) { s = v128.load32_splat(px, 12); a30 = fma(a30, s, d0); a31 = fma(a31, s, d1); }
                px += 4;
                pd += sco;
              }
            }
          }
        }
        const pw = dW + (<usize>((ky * KW + kx0) * CO + c0) << 2);
        addTap(pw, a00, a01);
        if (taps > 1) addTap(pw + sco, a10, a11);
        if (taps > 2) addTap(pw + 2 * sco, a20, a21);
        if (taps > 3) addTap(pw + 3 * sco, a30, a31);
        if (taps > 4) addTap(pw + 4 * sco, a40, a41);
      }
    }
  }
}

@inline function addTap(p: usize, a0: v128, a1: v128): void {
  v128.store(p, f32x4.add(v128.load(p), a0));
  v128.store(p, f32x4.add(v128.load(p, 16), a1), 16);
}

/** y = act(im2col(x)·w + bias): the forward convolution of B images. */
export function convForward(
  x: usize, w: usize, bias: usize, col: usize, y: usize, B: i32, H: i32, W: i32, C: i32,
  OH: i32, OW: i32, KH: i32, KW: i32, sh: i32, sw: i32, dh: i32, dw: i32, padT: i32, padL: i32,
  CO: i32, hasBias: i32, act: i32,
): void {
  const rows = OH * OW;
  const kc = KH * KW * C;
  if (directC1(C, CO, sh, sw, dh, dw, padT, padL)) {
    convForwardC1(x, w, y, B, H, W, OH, OW, KH, KW, CO);
    biasAct(y, bias, B * rows, CO, hasBias, act);
    return;
  }
  const G = group(rows * kc, B);
  for (let b0 = 0; b0 < B; b0 += G) {
    const nb = min(G, B - b0);
    const yb = y + (<usize>(b0 * rows * CO) << 2);
    im2col(x + (<usize>(b0 * H * W * C) << 2), col, nb, H, W, C, OH, OW, KH, KW, sh, sw, dh, dw, padT, padL);
    gemm(col, <usize>kc << 2, 4, w, CO, yb, CO, nb * rows, CO, kc, 0);
    biasAct(yb, bias, nb * rows, CO, hasBias, act);
  }
}

/** dW (+)= im2col(x)ᵀ·dy over B images: the filter gradient. */
export function convFilter(
  x: usize, dy: usize, col: usize, dW: usize, B: i32, H: i32, W: i32, C: i32, OH: i32, OW: i32,
  KH: i32, KW: i32, sh: i32, sw: i32, dh: i32, dw: i32, padT: i32, padL: i32, CO: i32,
  accumulate: i32,
): void {
  const rows = OH * OW;
  const kc = KH * KW * C;
  if (directC1(C, CO, sh, sw, dh, dw, padT, padL)) {
    convFilterC1(x, dy, dW, B, H, W, OH, OW, KH, KW, CO, accumulate);
    return;
  }
  const G = group(rows * kc, B);
  for (let b0 = 0; b0 < B; b0 += G) {
    const nb = min(G, B - b0);
    im2col(x + (<usize>(b0 * H * W * C) << 2), col, nb, H, W, C, OH, OW, KH, KW, sh, sw, dh, dw, padT, padL);
    const dyb = dy + (<usize>(b0 * rows * CO) << 2);
    gemm(col, 4, <usize>kc << 2, dyb, CO, dW, CO, kc, CO, nb * rows, accumulate != 0 || b0 > 0 ? 1 : 0);
  }
}

/** dx = col2im(dy·wᵀ) over B images (wt is wᵀ, [CO, KH*KW*C]): the input gradient. */
export function convInput(
  dy: usize, wt: usize, col: usize, dx: usize, B: i32, H: i32, W: i32, C: i32, OH: i32,
  OW: i32, KH: i32, KW: i32, sh: i32, sw: i32, dh: i32, dw: i32, padT: i32, padL: i32, CO: i32,
): void {
  const rows = OH * OW;
  const kc = KH * KW * C;
  const G = group(rows * kc, B);
  memory.fill(dx, 0, <usize>(B * H * W * C) << 2);
  for (let b0 = 0; b0 < B; b0 += G) {
    const nb = min(G, B - b0);
    gemm(dy + (<usize>(b0 * rows * CO) << 2), <usize>CO << 2, 4, wt, kc, col, kc, nb * rows, kc, CO, 0);
    col2im(col, dx + (<usize>(b0 * H * W * C) << 2), nb, H, W, C, OH, OW, KH, KW, sh, sw, dh, dw, padT, padL);
  }
}
