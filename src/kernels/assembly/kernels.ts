// WebAssembly SIMD kernels for the "simd" tfjs backend (AssemblyScript, built by
// `deno task build:kernels`). Every pointer is a byte offset into the exported memory; the
// TypeScript side lays buffers out from `heapStart()` and grows memory as needed.
// Matrices are row-major float32 unless a stride says otherwise.

/** Inner-dimension block so that a slice of A and B stays in L1/L2 while a tile row runs. */
const KC: i32 = 256;

export function heapStart(): usize {
  return (__heap_base + 63) & ~63;
}

@inline function fma(acc: v128, a: v128, b: v128): v128 {
  return f32x4.relaxed_madd(a, b, acc);
}

/**
 * C[M,N] (+)= A·B with B row-major [K,N] (row stride ldb floats) and A addressed by strides:
 * element (i, k) at a + i*sai + k*sak (bytes), so A or Aᵀ both work. Register tile 4×8.
 */
export function gemm(
  a: usize, sai: usize, sak: usize, b: usize, ldb: i32, c: usize, ldc: i32,
  M: i32, N: i32, K: i32, accumulate: i32,
): void {
  const sb = <usize>ldb << 2;
  const sc = <usize>ldc << 2;
  for (let k0 = 0; k0 < K; k0 += KC) {
    const kn = min(KC, K - k0);
    const add = accumulate != 0 || k0 > 0;
    const a0 = a + <usize>k0 * sak;
    const b0 = b + <usize>k0 * sb;
    let j = 0;
    for (; j + 8 <= N; j += 8) {
      const pb = b0 + (<usize>j << 2);
      let i = 0;
      for (; i + 6 <= M; i += 6) {
        const pc = c + <usize>i * sc + (<usize>j << 2);
        let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
        let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
        let c40 = f32x4.splat(0), c41 = f32x4.splat(0), c50 = f32x4.splat(0), c51 = f32x4.splat(0);
        if (add) {
          c00 = v128.load(pc); c01 = v128.load(pc, 16);
          c10 = v128.load(pc + sc); c11 = v128.load(pc + sc, 16);
          c20 = v128.load(pc + 2 * sc); c21 = v128.load(pc + 2 * sc, 16);
          c30 = v128.load(pc + 3 * sc); c31 = v128.load(pc + 3 * sc, 16);
          c40 = v128.load(pc + 4 * sc); c41 = v128.load(pc + 4 * sc, 16);
          c50 = v128.load(pc + 5 * sc); c51 = v128.load(pc + 5 * sc, 16);
        }
        let qa = a0 + <usize>i * sai;
        let qa3 = qa + 3 * sai;
        let qb = pb;
        for (let k = 0; k < kn; k++) {
          const v0 = v128.load(qb);
          const v1 = v128.load(qb, 16);
          let s = v128.load32_splat(qa);
          c00 = fma(c00, s, v0); c01 = fma(c01, s, v1);
          s = v128.load32_splat(qa + sai);
          c10 = fma(c10, s, v0); c11 = fma(c11, s, v1);
          s = v128.load32_splat(qa + 2 * sai);
          c20 = fma(c20, s, v0); c21 = fma(c21, s, v1);
          s = v128.load32_splat(qa3);
          c30 = fma(c30, s, v0); c31 = fma(c31, s, v1);
          s = v128.load32_splat(qa3 + sai);
          c40 = fma(c40, s, v0); c41 = fma(c41, s, v1);
          s = v128.load32_splat(qa3 + 2 * sai);
          c50 = fma(c50, s, v0); c51 = fma(c51, s, v1);
          qa += sak;
          qa3 += sak;
          qb += sb;
        }
        v128.store(pc, c00); v128.store(pc, c01, 16);
        v128.store(pc + sc, c10); v128.store(pc + sc, c11, 16);
        v128.store(pc + 2 * sc, c20); v128.store(pc + 2 * sc, c21, 16);
        v128.store(pc + 3 * sc, c30); v128.store(pc + 3 * sc, c31, 16);
        v128.store(pc + 4 * sc, c40); v128.store(pc + 4 * sc, c41, 16);
        v128.store(pc + 5 * sc, c50); v128.store(pc + 5 * sc, c51, 16);
      }
      for (; i + 4 <= M; i += 4) {
        const pa = a0 + <usize>i * sai;
        const pc = c + <usize>i * sc + (<usize>j << 2);
        let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
        let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
        if (add) {
          c00 = v128.load(pc); c01 = v128.load(pc, 16);
          c10 = v128.load(pc + sc); c11 = v128.load(pc + sc, 16);
          c20 = v128.load(pc + 2 * sc); c21 = v128.load(pc + 2 * sc, 16);
          c30 = v128.load(pc + 3 * sc); c31 = v128.load(pc + 3 * sc, 16);
        }
        let qa = pa;
        let qb = pb;
        for (let k = 0; k < kn; k++) {
          const v0 = v128.load(qb);
          const v1 = v128.load(qb, 16);
          let s = v128.load32_splat(qa);
          c00 = fma(c00, s, v0); c01 = fma(c01, s, v1);
          s = v128.load32_splat(qa + sai);
          c10 = fma(c10, s, v0); c11 = fma(c11, s, v1);
          s = v128.load32_splat(qa + 2 * sai);
          c20 = fma(c20, s, v0); c21 = fma(c21, s, v1);
          s = v128.load32_splat(qa + 3 * sai);
          c30 = fma(c30, s, v0); c31 = fma(c31, s, v1);
          qa += sak;
          qb += sb;
        }
        v128.store(pc, c00); v128.store(pc, c01, 16);
        v128.store(pc + sc, c10); v128.store(pc + sc, c11, 16);
        v128.store(pc + 2 * sc, c20); v128.store(pc + 2 * sc, c21, 16);
        v128.store(pc + 3 * sc, c30); v128.store(pc + 3 * sc, c31, 16);
      }
      for (; i < M; i++) {
        const pc = c + <usize>i * sc + (<usize>j << 2);
        let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
        if (add) { c00 = v128.load(pc); c01 = v128.load(pc, 16); }
        let qa = a0 + <usize>i * sai;
        let qb = pb;
        for (let k = 0; k < kn; k++) {
          const s = v128.load32_splat(qa);
          c00 = fma(c00, s, v128.load(qb)); c01 = fma(c01, s, v128.load(qb, 16));
          qa += sak;
          qb += sb;
        }
        v128.store(pc, c00); v128.store(pc, c01, 16);
      }
    }
    for (; j + 4 <= N; j += 4) {
      const pb = b0 + (<usize>j << 2);
      let i = 0;
      for (; i + 4 <= M; i += 4) {
        const pc = c + <usize>i * sc + (<usize>j << 2);
        let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
        if (add) {
          c0 = v128.load(pc); c1 = v128.load(pc + sc);
          c2 = v128.load(pc + 2 * sc); c3 = v128.load(pc + 3 * sc);
        }
        let qa = a0 + <usize>i * sai;
        let qb = pb;
        for (let k = 0; k < kn; k++) {
          const v = v128.load(qb);
          c0 = fma(c0, v128.load32_splat(qa), v);
          c1 = fma(c1, v128.load32_splat(qa + sai), v);
          c2 = fma(c2, v128.load32_splat(qa + 2 * sai), v);
          c3 = fma(c3, v128.load32_splat(qa + 3 * sai), v);
          qa += sak;
          qb += sb;
        }
        v128.store(pc, c0); v128.store(pc + sc, c1);
        v128.store(pc + 2 * sc, c2); v128.store(pc + 3 * sc, c3);
      }
      for (; i < M; i++) {
        const pc = c + <usize>i * sc + (<usize>j << 2);
        let c0 = add ? v128.load(pc) : f32x4.splat(0);
        let qa = a0 + <usize>i * sai;
        let qb = pb;
        for (let k = 0; k < kn; k++) {
          c0 = fma(c0, v128.load32_splat(qa), v128.load(qb));
          qa += sak;
          qb += sb;
        }
        v128.store(pc, c0);
      }
    }
    for (; j < N; j++) {
      for (let i = 0; i < M; i++) {
        const pc = c + <usize>i * sc + (<usize>j << 2);
        let s: f32 = add ? load<f32>(pc) : 0;
        let qa = a0 + <usize>i * sai;
        let qb = b0 + (<usize>j << 2);
        for (let k = 0; k < kn; k++) {
          s += load<f32>(qa) * load<f32>(qb);
          qa += sak;
          qb += sb;
        }
        store<f32>(pc, s);
      }
    }
  }
}

/** dst[C,R] = srcᵀ for src [R,C]: 4×4 blocks through registers, then the edges one by one. */
export function transpose(src: usize, dst: usize, R: i32, C: i32): void {
  const R4 = R & ~3, C4 = C & ~3;
  const sr = <usize>C << 2, sd = <usize>R << 2;
  for (let r = 0; r < R4; r += 4) {
    for (let c = 0; c < C4; c += 4) {
      const ps = src + (<usize>(r * C + c) << 2);
      const r0 = v128.load(ps), r1 = v128.load(ps + sr);
      const r2 = v128.load(ps + 2 * sr), r3 = v128.load(ps + 3 * sr);
      const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
      const t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5), t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
      const pd = dst + (<usize>(c * R + r) << 2);
      v128.store(pd, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
      v128.store(pd + sd, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
      v128.store(pd + 2 * sd, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
      v128.store(pd + 3 * sd, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
    }
    for (let c = C4; c < C; c++) {
      for (let i = r; i < r + 4; i++) {
        store<f32>(dst + (<usize>(c * R + i) << 2), load<f32>(src + (<usize>(i * C + c) << 2)));
      }
    }
  }
  for (let r = R4; r < R; r++) {
    const ps = src + (<usize>(r * C) << 2);
    for (let c = 0; c < C; c++) {
      store<f32>(dst + (<usize>(c * R + r) << 2), load<f32>(ps + (<usize>c << 2)));
    }
  }
}

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
export function biasAct(y: usize, bias: usize, M: i32, N: i32, hasBias: i32, act: i32): void {
  const zero = f32x4.splat(0);
  for (let i = 0; i < M; i++) {
    const row = y + (<usize>(i * N) << 2);
    let j = 0;
    for (; j + 4 <= N; j += 4) {
      const o = <usize>j << 2;
      let v = v128.load(row + o);
      if (hasBias) v = f32x4.add(v, v128.load(bias + o));
      if (act == 1) v = f32x4.max(v, zero);
      v128.store(row + o, v);
    }
    for (; j < N; j++) {
      const o = <usize>j << 2;
      let v = load<f32>(row + o);
      if (hasBias) v += load<f32>(bias + o);
      if (act == 1 && !(v > 0)) v = 0;
      store<f32>(row + o, v);
    }
  }
}

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

// Element-wise kernels over float32 buffers in this memory (tensors of "simd" live here).
// `op`: 0 add, 1 sub, 2 mul, 3 div, 4 max. Each case is its own loop once inlined.

@inline function bin(op: i32, x: v128, y: v128): v128 {
  if (op == 0) return f32x4.add(x, y);
  if (op == 1) return f32x4.sub(x, y);
  if (op == 2) return f32x4.mul(x, y);
  if (op == 3) return f32x4.div(x, y);
  return f32x4.max(x, y);
}

@inline function bin1(op: i32, x: f32, y: f32): f32 {
  if (op == 0) return x + y;
  if (op == 1) return x - y;
  if (op == 2) return x * y;
  if (op == 3) return x / y;
  return x != x || x > y ? x : y;
}

/**
 * out = a op b over n floats. mode 0: same shape; 1: a is one float (s); 2: b is one float (s);
 * 3: a is a row of nb floats repeated over b; 4: b is a row of nb floats repeated over a;
 * 5: a is a column of nb floats, each repeated n/nb times over b; 6: b is such a column.
 */
@inline function binaryLoop(
  op: i32, mode: i32, a: usize, b: usize, out: usize, n: i32, nb: i32, s: f32,
): void {
  const sv = f32x4.splat(s);
  let i = 0;
  if (mode == 0) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(out + o, bin(op, v128.load(a + o), v128.load(b + o)));
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      store<f32>(out + o, bin1(op, load<f32>(a + o), load<f32>(b + o)));
    }
  } else if (mode == 1) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(out + o, bin(op, sv, v128.load(b + o)));
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      store<f32>(out + o, bin1(op, s, load<f32>(b + o)));
    }
  } else if (mode == 2) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(out + o, bin(op, v128.load(a + o), sv));
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      store<f32>(out + o, bin1(op, load<f32>(a + o), s));
    }
  } else if (mode >= 5) {
    const col = mode == 5 ? a : b;
    const full = b + a - col;
    const inner = n / nb;
    for (let r = 0; r < nb; r++) {
      const c = load<f32>(col + (<usize>r << 2));
      const cv = f32x4.splat(c);
      const pf = full + (<usize>(r * inner) << 2);
      const po = out + (<usize>(r * inner) << 2);
      let j = 0;
      for (; j + 4 <= inner; j += 4) {
        const o = <usize>j << 2;
        const y = v128.load(pf + o);
        v128.store(po + o, mode == 5 ? bin(op, cv, y) : bin(op, y, cv));
      }
      for (; j < inner; j++) {
        const o = <usize>j << 2;
        const y = load<f32>(pf + o);
        store<f32>(po + o, mode == 5 ? bin1(op, c, y) : bin1(op, y, c));
      }
    }
  } else {
    const row = mode == 3 ? a : b;
    const full = b + a - row; // the operand that is not the repeated row
    for (let r = 0; r < n; r += nb) {
      const pf = full + (<usize>r << 2);
      const po = out + (<usize>r << 2);
      let j = 0;
      for (; j + 4 <= nb; j += 4) {
        const o = <usize>j << 2;
        const x = v128.load(row + o), y = v128.load(pf + o);
        v128.store(po + o, mode == 3 ? bin(op, x, y) : bin(op, y, x));
      }
      for (; j < nb; j++) {
        const o = <usize>j << 2;
        const x = load<f32>(row + o), y = load<f32>(pf + o);
        store<f32>(po + o, mode == 3 ? bin1(op, x, y) : bin1(op, y, x));
      }
    }
  }
}

@inline function binaryModes(op: i32, mode: i32, a: usize, b: usize, out: usize, n: i32, nb: i32, s: f32): void {
  if (mode == 0) binaryLoop(op, 0, a, b, out, n, nb, s);
  else if (mode == 1) binaryLoop(op, 1, a, b, out, n, nb, s);
  else if (mode == 2) binaryLoop(op, 2, a, b, out, n, nb, s);
  else if (mode == 3) binaryLoop(op, 3, a, b, out, n, nb, s);
  else if (mode == 4) binaryLoop(op, 4, a, b, out, n, nb, s);
  else if (mode == 5) binaryLoop(op, 5, a, b, out, n, nb, s);
  else binaryLoop(op, 6, a, b, out, n, nb, s);
}

/** out = a op b (see binaryLoop for the modes; a scalar operand is read from its address). */
export function binary(op: i32, mode: i32, a: usize, b: usize, out: usize, n: i32, nb: i32): void {
  const s: f32 = mode == 1 ? load<f32>(a) : mode == 2 ? load<f32>(b) : 0;
  if (op == 0) binaryModes(0, mode, a, b, out, n, nb, s);
  else if (op == 1) binaryModes(1, mode, a, b, out, n, nb, s);
  else if (op == 2) binaryModes(2, mode, a, b, out, n, nb, s);
  else if (op == 3) binaryModes(3, mode, a, b, out, n, nb, s);
  else binaryModes(4, mode, a, b, out, n, nb, s);
}

/** `op`: 0 relu, 1 step (alpha below zero, NaN kept), 2 sqrt, 3 square, 4 neg, 5 floor. */
@inline function un(op: i32, x: v128, alpha: v128): v128 {
  if (op == 0) return f32x4.pmax(x, f32x4.splat(0));
  if (op == 1) {
    const s = v128.bitselect(f32x4.splat(1), alpha, f32x4.gt(x, f32x4.splat(0)));
    return v128.bitselect(x, s, f32x4.ne(x, x));
  }
  if (op == 2) return f32x4.sqrt(x);
  if (op == 3) return f32x4.mul(x, x);
  if (op == 4) return f32x4.neg(x);
  return f32x4.floor(x);
}

@inline function un1(op: i32, x: f32, alpha: f32): f32 {
  if (op == 0) return x < 0 ? 0 : x;
  if (op == 1) return x != x ? x : x > 0 ? 1 : alpha;
  if (op == 2) return sqrt<f32>(x);
  if (op == 3) return x * x;
  if (op == 4) return -x;
  return floor<f32>(x);
}

@inline function unaryLoop(op: i32, x: usize, out: usize, n: i32, alpha: f32): void {
  const av = f32x4.splat(alpha);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, un(op, v128.load(x + o), av));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, un1(op, load<f32>(x + o), alpha));
  }
}

/** out = f(x) over n floats (see un for the ops). */
export function unary(op: i32, x: usize, out: usize, n: i32, alpha: f32): void {
  if (op == 0) unaryLoop(0, x, out, n, alpha);
  else if (op == 1) unaryLoop(1, x, out, n, alpha);
  else if (op == 2) unaryLoop(2, x, out, n, alpha);
  else if (op == 3) unaryLoop(3, x, out, n, alpha);
  else if (op == 4) unaryLoop(4, x, out, n, alpha);
  else unaryLoop(5, x, out, n, alpha);
}

/**
 * sumRows for rows of 8 or 16 floats (the model's channels): the sums stay in registers, added in
 * the same order as the general loop.
 */
function sumRowsNarrow(x: usize, out: usize, rows: i32, inner: i32): void {
  const step = <usize>inner << 2;
  for (let j = 0; j < inner; j += 8) {
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0);
    let p = x + (<usize>j << 2);
    for (let r = 0; r < rows; r++) {
      a0 = f32x4.add(a0, v128.load(p));
      a1 = f32x4.add(a1, v128.load(p, 16));
      p += step;
    }
    v128.store(out + (<usize>j << 2), a0);
    v128.store(out + (<usize>j << 2), a1, 16);
  }
}

/** out[j] = Σ_r x[r*inner + j] over `rows` rows: a sum over leading axes (bias gradients). */
export function sumRows(x: usize, out: usize, rows: i32, inner: i32): void {
  if (inner == 8 || inner == 16) {
    sumRowsNarrow(x, out, rows, inner);
    return;
  }
  memory.fill(out, 0, <usize>inner << 2);
  for (let r = 0; r < rows; r++) {
    const px = x + (<usize>(r * inner) << 2);
    let j = 0;
    for (; j + 4 <= inner; j += 4) {
      const o = <usize>j << 2;
      v128.store(out + o, f32x4.add(v128.load(out + o), v128.load(px + o)));
    }
    for (; j < inner; j++) {
      const o = <usize>j << 2;
      store<f32>(out + o, load<f32>(out + o) + load<f32>(px + o));
    }
  }
}

/**
 * out[j] = Σ_i x[j*len + i]: a sum over trailing axes, accumulated in f64 in index order like
 * tfjs' cpu kernel (these sums are short: class scores), so results match it bit for bit.
 */
export function sumCols(x: usize, out: usize, groups: i32, len: i32): void {
  for (let g = 0; g < groups; g++) {
    const px = x + (<usize>(g * len) << 2);
    let s: f64 = 0;
    for (let i = 0; i < len; i++) s += <f64>load<f32>(px + (<usize>i << 2));
    store<f32>(out + (<usize>g << 2), <f32>s);
  }
}

/** out = dy · step(x) over n floats: the gradient of relu in one pass (NaN in x stays NaN). */
export function reluGrad(dy: usize, x: usize, out: usize, n: i32): void {
  const one = f32x4.splat(1), zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const v = v128.load(x + o);
    const s = v128.bitselect(v, v128.bitselect(one, zero, f32x4.gt(v, zero)), f32x4.ne(v, v));
    v128.store(out + o, f32x4.mul(v128.load(dy + o), s));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const v = load<f32>(x + o);
    const s: f32 = v != v ? v : v > 0 ? 1 : 0;
    store<f32>(out + o, load<f32>(dy + o) * s);
  }
}
