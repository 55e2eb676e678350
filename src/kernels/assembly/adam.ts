// Adam's update of one variable in one pass (see kernels.ts).

/**
 * tfjs' AdamOptimizer.applyGradients for n floats, with the same float32 operations in the same
 * order, so that the result equals its chain of cpu kernels bit for bit:
 *   m' = m·β1 + g·(1-β1);  v' = v·β2 + g²·(1-β2)
 *   x' = (m'/c1) / (√(v'/c2) + ε) · (-lr) + x
 * where c1 = 1 - β1^t and c2 = 1 - β2^t (the bias corrections). Writes x', m', v' to their own
 * buffers (the inputs may be shared by other tensors).
 */
export function adam(
  x: usize, m: usize, v: usize, g: usize, outX: usize, outM: usize, outV: usize, n: i32,
  beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32,
  c1: f32, c2: f32, epsilon: f32, negLr: f32,
): void {
  const b1 = f32x4.splat(beta1), d1 = f32x4.splat(oneMinusBeta1);
  const b2 = f32x4.splat(beta2), d2 = f32x4.splat(oneMinusBeta2);
  const k1 = f32x4.splat(c1), k2 = f32x4.splat(c2);
  const eps = f32x4.splat(epsilon), lr = f32x4.splat(negLr);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const gv = v128.load(g + o);
    const m1 = f32x4.add(f32x4.mul(v128.load(m + o), b1), f32x4.mul(gv, d1));
    const v1 = f32x4.add(f32x4.mul(v128.load(v + o), b2), f32x4.mul(f32x4.mul(gv, gv), d2));
    const mh = f32x4.div(m1, k1), vh = f32x4.div(v1, k2);
    const step = f32x4.mul(f32x4.div(mh, f32x4.add(f32x4.sqrt(vh), eps)), lr);
    v128.store(outM + o, m1);
    v128.store(outV + o, v1);
    v128.store(outX + o, f32x4.add(step, v128.load(x + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const gs = load<f32>(g + o);
    const m1 = load<f32>(m + o) * beta1 + gs * oneMinusBeta1;
    const v1 = load<f32>(v + o) * beta2 + (gs * gs) * oneMinusBeta2;
    const step = ((m1 / c1) / (sqrt<f32>(v1 / c2) + epsilon)) * negLr;
    store<f32>(outM + o, m1);
    store<f32>(outV + o, v1);
    store<f32>(outX + o, step + load<f32>(x + o));
  }
}
