// Max pooling and its gradient, channels in SIMD lanes (see kernels.ts).

/**
 * Whether pooling windows tile the image exactly (window = stride, no padding, no dilation, no
 * remainder): every input belongs to one window, so the gradient is written, not scattered.
 */
@inline function tiles(H: i32, W: i32, OH: i32, OW: i32, KH: i32, KW: i32, sh: i32, sw: i32, dh: i32, dw: i32, padT: i32, padL: i32): bool {
  return KH == sh && KW == sw && dh == 1 && dw == 1 && padT == 0 && padL == 0 && OH * sh == H && OW * sw == W;
}

/** maxPool for exactly tiling windows: no bounds checks. */
function maxPoolTiled(x: usize, y: usize, B: i32, H: i32, W: i32, C: i32, OH: i32, OW: i32, KH: i32, KW: i32): void {
  let out = y;
  const rowBytes = <usize>(W * C) << 2;
  for (let b = 0; b < B; b++) {
    for (let oy = 0; oy < OH; oy++) {
      const xr = x + (<usize>((b * H + oy * KH) * W * C) << 2);
      for (let ox = 0; ox < OW; ox++) {
        const xw = xr + (<usize>(ox * KW * C) << 2);
        for (let c = 0; c < C; c += 4) {
          let best = f32x4.splat(-Infinity);
          let pr = xw + (<usize>c << 2);
          for (let ky = 0; ky < KH; ky++) {
            let p = pr;
            for (let kx = 0; kx < KW; kx++) {
              best = f32x4.max(best, v128.load(p));
              p += <usize>C << 2;
            }
            pr += rowBytes;
          }
          v128.store(out, best);
          out += 16;
        }
      }
    }
  }
}

/** maxPoolGrad for exactly tiling windows: each dx is dy at its window's first maximum, else 0. */
function maxPoolGradTiled(dy: usize, x: usize, dx: usize, B: i32, H: i32, W: i32, C: i32, OH: i32, OW: i32, KH: i32, KW: i32): void {
  const rowBytes = <usize>(W * C) << 2;
  const zero = f32x4.splat(0);
  let g = dy;
  for (let b = 0; b < B; b++) {
    for (let oy = 0; oy < OH; oy++) {
      const off = <usize>((b * H + oy * KH) * W * C) << 2;
      for (let ox = 0; ox < OW; ox++) {
        const woff = off + (<usize>(ox * KW * C) << 2);
        for (let c = 0; c < C; c += 4) {
          const base = woff + (<usize>c << 2);
          let best = f32x4.splat(-Infinity);
          let at = i32x4.splat(-1);
          let pr = base;
          for (let ky = 0; ky < KH; ky++) {
            let p = pr;
            for (let kx = 0; kx < KW; kx++) {
              const v = v128.load(x + p);
              const m = f32x4.gt(v, best);
              best = v128.bitselect(v, best, m);
              at = v128.bitselect(i32x4.splat(ky * KW + kx), at, m);
              p += <usize>C << 2;
            }
            pr += rowBytes;
          }
          const gv = v128.load(g);
          pr = base;
          for (let ky = 0; ky < KH; ky++) {
            let p = pr;
            for (let kx = 0; kx < KW; kx++) {
              v128.store(dx + p, v128.bitselect(gv, zero, i32x4.eq(at, i32x4.splat(ky * KW + kx))));
              p += <usize>C << 2;
            }
            pr += rowBytes;
          }
          g += 16;
        }
      }
    }
  }
}

/**
 * Max pooling over NHWC x [B,H,W,C] with C % 4 == 0 into y [B,OH,OW,C]; NaN wins like tfjs' cpu
 * kernel, -Infinity for a window wholly in the padding.
 */
export function maxPool(
  x: usize, y: usize, B: i32, H: i32, W: i32, C: i32, OH: i32, OW: i32, KH: i32, KW: i32,
  sh: i32, sw: i32, dh: i32, dw: i32, padT: i32, padL: i32,
): void {
  if (tiles(H, W, OH, OW, KH, KW, sh, sw, dh, dw, padT, padL)) {
    maxPoolTiled(x, y, B, H, W, C, OH, OW, KH, KW);
    return;
  }
  let out = y;
  for (let b = 0; b < B; b++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        for (let c = 0; c < C; c += 4) {
          let best = f32x4.splat(-Infinity);
          for (let ky = 0; ky < KH; ky++) {
            const iy = oy * sh - padT + ky * dh;
            if (iy < 0 || iy >= H) continue;
            for (let kx = 0; kx < KW; kx++) {
              const ix = ox * sw - padL + kx * dw;
              if (ix < 0 || ix >= W) continue;
              best = f32x4.max(best, v128.load(x + (<usize>(((b * H + iy) * W + ix) * C + c) << 2)));
            }
          }
          v128.store(out, best);
          out += 16;
        }
      }
    }
  }
}

/**
 * The gradient of maxPool: dx [B,H,W,C] (zeroed here) gets dy [B,OH,OW,C] at the first maximum
 * of each window (strictly greater wins, as in tfjs' cpu kernel). C % 4 == 0.
 */
export function maxPoolGrad(
  dy: usize, x: usize, dx: usize, B: i32, H: i32, W: i32, C: i32, OH: i32, OW: i32, KH: i32,
  KW: i32, sh: i32, sw: i32, dh: i32, dw: i32, padT: i32, padL: i32,
): void {
  if (tiles(H, W, OH, OW, KH, KW, sh, sw, dh, dw, padT, padL)) {
    maxPoolGradTiled(dy, x, dx, B, H, W, C, OH, OW, KH, KW);
    return;
  }
  memory.fill(dx, 0, <usize>(B * H * W * C) << 2);
  const lanes = i32x4(0, 1, 2, 3);
  let g = dy;
  for (let b = 0; b < B; b++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        for (let c = 0; c < C; c += 4) {
          let best = f32x4.splat(-Infinity);
          let at = i32x4.splat(-1);
          for (let ky = 0; ky < KH; ky++) {
            const iy = oy * sh - padT + ky * dh;
            if (iy < 0 || iy >= H) continue;
            for (let kx = 0; kx < KW; kx++) {
              const ix = ox * sw - padL + kx * dw;
              if (ix < 0 || ix >= W) continue;
              const i = ((b * H + iy) * W + ix) * C + c;
              const v = v128.load(x + (<usize>i << 2));
              const m = f32x4.gt(v, best);
              best = v128.bitselect(v, best, m);
              at = v128.bitselect(i32x4.add(i32x4.splat(i), lanes), at, m);
            }
          }
          scatter(dx, i32x4.extract_lane(at, 0), load<f32>(g));
          scatter(dx, i32x4.extract_lane(at, 1), load<f32>(g, 4));
          scatter(dx, i32x4.extract_lane(at, 2), load<f32>(g, 8));
          scatter(dx, i32x4.extract_lane(at, 3), load<f32>(g, 12));
          g += 16;
        }
      }
    }
  }
}

@inline function scatter(dx: usize, at: i32, v: f32): void {
  if (at >= 0) {
    const p = dx + (<usize>at << 2);
    store<f32>(p, load<f32>(p) + v);
  }
}
