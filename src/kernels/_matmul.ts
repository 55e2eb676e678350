/** BatchMatMul and _FusedMatMul (bias + linear/relu) through the SIMD GEMM. */
import type * as tf from "@tensorflow/tfjs";
import type { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import { reserve } from "./_heap.ts";
import { output, pointer } from "./_storage.ts";
import { run } from "./_threads.ts";

/** The operands of a (batched) product, or null when the shapes need the reference kernel. */
interface Plan {
  batch: number;
  batchA: number;
  batchB: number;
  m: number;
  n: number;
  k: number;
  outShape: number[];
}

function plan(a: tf.TensorInfo, b: tf.TensorInfo, ta: boolean, tb: boolean): Plan | null {
  if (a.dtype !== "float32" || b.dtype !== "float32") return null;
  if (a.shape.length < 2 || b.shape.length < 2) return null;
  const ra = a.shape.length, rb = b.shape.length;
  const m = ta ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = ta ? a.shape[ra - 2] : a.shape[ra - 1];
  const kb = tb ? b.shape[rb - 1] : b.shape[rb - 2];
  const n = tb ? b.shape[rb - 2] : b.shape[rb - 1];
  if (k !== kb) return null;
  const batchA = a.shape.slice(0, -2).reduce((x, y) => x * y, 1);
  const batchB = b.shape.slice(0, -2).reduce((x, y) => x * y, 1);
  if (batchA !== batchB && batchA !== 1 && batchB !== 1) return null;
  const outer = batchA >= batchB ? a.shape.slice(0, -2) : b.shape.slice(0, -2);
  if (ra !== rb && batchA > 1 && batchB > 1) return null;
  return { batch: Math.max(batchA, batchB), batchA, batchB, m, n, k, outShape: [...outer, m, n] };
}

/** How {@linkcode matMul} forms its product. */
export interface MatMulOptions {
  /** Use Aᵀ. */
  transposeA: boolean;
  /** Use Bᵀ. */
  transposeB: boolean;
  /** A row of N floats added to every row of C, or null. */
  bias: tf.TensorInfo | null;
  /** Apply relu after the bias. */
  relu: boolean;
}

/**
 * C = op(A)·op(B) (+ bias, relu) for every batch, or null when the reference kernel must run.
 */
export function matMul(
  backend: MathBackendCPU,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  options: MatMulOptions,
): tf.TensorInfo | null {
  const { transposeA: ta, transposeB: tb, bias, relu } = options;
  const p = plan(a, b, ta, tb);
  if (p === null) return null;
  const { m, n, k } = p;
  if (k === 0) return null; // the GEMM would leave C unwritten
  if (bias !== null && (bias.dtype !== "float32" || bias.shape.reduce((x, y) => x * y, 1) !== n)) {
    return null;
  }
  const pa = pointer(backend, a);
  const pb = pa === null ? null : pointer(backend, b);
  const pbias = bias === null || pb === null ? 0 : pointer(backend, bias);
  const out = pbias === null ? null : output(backend, p.outShape);
  if (pa === null || pb === null || pbias === null || out === null) return null;
  for (let i = 0; i < p.batch; i++) {
    const qa = pa + (p.batchA === 1 ? 0 : i * m * k * 4);
    const qb = pb + (p.batchB === 1 ? 0 : i * k * n * 4);
    const qc = out.ptr + i * m * n * 4;
    productAt(qa, qb, qc, { m, n, k, ta, tb }, { bias: bias === null ? null : pbias, relu });
  }
  return out.info;
}

/** The sizes and transpositions of one product C [m,n] = op(A)·op(B). */
export interface ProductShape {
  m: number;
  n: number;
  k: number;
  /** A is stored [k, m]. */
  ta: boolean;
  /** B is stored [n, k]. */
  tb: boolean;
}

/**
 * C = act(op(A)·op(B) + bias) on heap addresses, as {@linkcode matMul} forms each batch's
 * product; `bias` is the address of a row of n floats, or null.
 */
export function productAt(
  pa: number,
  pb: number,
  pc: number,
  { m, n, k, ta, tb }: ProductShape,
  epilogue: { bias: number | null; relu: boolean } = { bias: null, relu: false },
): void {
  const { bias, relu } = epilogue;
  if (tb) {
    const [pbt] = reserve(k * n);
    run("transpose", [pb, pbt, n, k]);
    pb = pbt;
  }
  if (ta) run("gemm", [pa, 4, m * 4, pb, n, pc, n, m, n, k, 0]);
  else run("gemm", [pa, k * 4, 4, pb, n, pc, n, m, n, k, 0]);
  if (bias !== null || relu) {
    run("biasAct", [pc, bias ?? 0, m, n, bias === null ? 0 : 1, relu ? 1 : 0]);
  }
}
