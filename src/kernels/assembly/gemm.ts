// The register-tiled GEMM, transposes and the bias/relu epilogue (see kernels.ts).
import { fma } from "./simd";

/** Inner-dimension block so that a slice of A and B stays in L1/L2 while a tile row runs. */
const KC: i32 = 256;

/**
 * C[M,N] (+)= A·B with B row-major [K,N] (row stride ldb floats) and A addressed by strides:
 * element (i, k) at a + i*sai + k*sak (bytes), so A or Aᵀ both work. Register tiles 6×8 and 4×8.
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
