// im2col and its adjoint col2im for NHWC images (see kernels.ts).

/**
 * NHWC x [B,H,W,C] → col [B*OH*OW, KH*KW*C], the row order of a [KH,KW,C,CO] filter; zero where
 * the window leaves the image.
 */
export function im2col(
  x: usize, col: usize, B: i32, H: i32, W: i32, C: i32, OH: i32, OW: i32, KH: i32, KW: i32,
  sh: i32, sw: i32, dh: i32, dw: i32, padT: i32, padL: i32,
): void {
  const rowBytes = <usize>C << 2;
  let out = col;
  for (let b = 0; b < B; b++) {
    const xb = x + (<usize>(b * H * W * C) << 2);
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        for (let ky = 0; ky < KH; ky++) {
          const iy = oy * sh - padT + ky * dh;
          if (iy < 0 || iy >= H) {
            memory.fill(out, 0, rowBytes * KW);
            out += rowBytes * KW;
            continue;
          }
          const xr = xb + (<usize>(iy * W * C) << 2);
          const ix0 = ox * sw - padL;
          if (dw == 1 && ix0 >= 0 && ix0 + KW <= W) {
            // The whole window row is one contiguous run of KW*C floats.
            copyRow(out, xr + (<usize>(ix0 * C) << 2), KW * C);
            out += rowBytes * KW;
            continue;
          }
          for (let kx = 0; kx < KW; kx++) {
            const ix = ix0 + kx * dw;
            if (ix < 0 || ix >= W) memory.fill(out, 0, rowBytes);
            else copyRow(out, xr + (<usize>(ix * C) << 2), C);
            out += rowBytes;
          }
        }
      }
    }
  }
}

/** The adjoint of im2col: dx [B,H,W,C] += scatter of col [B*OH*OW, KH*KW*C]. */
export function col2im(
  col: usize, dx: usize, B: i32, H: i32, W: i32, C: i32, OH: i32, OW: i32, KH: i32, KW: i32,
  sh: i32, sw: i32, dh: i32, dw: i32, padT: i32, padL: i32,
): void {
  let src = col;
  const rowBytes = <usize>C << 2;
  for (let b = 0; b < B; b++) {
    const xb = dx + (<usize>(b * H * W * C) << 2);
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        for (let ky = 0; ky < KH; ky++) {
          const iy = oy * sh - padT + ky * dh;
          if (iy < 0 || iy >= H) {
            src += rowBytes * KW;
            continue;
          }
          const xr = xb + (<usize>(iy * W * C) << 2);
          const ix0 = ox * sw - padL;
          if (dw == 1 && ix0 >= 0 && ix0 + KW <= W) {
            // The whole window row is one contiguous run of KW*C floats.
            addRow(xr + (<usize>(ix0 * C) << 2), src, KW * C);
            src += rowBytes * KW;
            continue;
          }
          for (let kx = 0; kx < KW; kx++) {
            const ix = ix0 + kx * dw;
            if (ix >= 0 && ix < W) addRow(xr + (<usize>(ix * C) << 2), src, C);
            src += rowBytes;
          }
        }
      }
    }
  }
}

@inline function copyRow(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(dst + o, v128.load(src + o));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dst + o, load<f32>(src + o));
  }
}

@inline function addRow(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
  }
}

/** y[M,N] += bias[N] per row (when hasBias), then relu when act == 1. */
