// Element-wise kernels and sums over float32 buffers (see kernels.ts).

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
