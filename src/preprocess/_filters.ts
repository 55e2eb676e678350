/**
 * Small image filters on row-major float or byte planes. Hot loops: typed arrays, no closures or
 * allocations per pixel, and the same arithmetic in the same order as the plain formulas, so that
 * results do not depend on how the loops are arranged.
 */

import { spare } from "./_spare.ts";

type Plane = Float32Array | Uint8Array;

const spareStack = spare((n) => new Int32Array(n));

/**
 * A flood-fill stack of at least `n` entries, shared between calls (the fills are synchronous and
 * never nested, and a stack entry is always written before it is read), so that each fill does
 * not allocate and clear a fresh one.
 */
export function floodStack(n: number): Int32Array {
  return spareStack(n);
}

/**
 * Sliding-window extreme of `line` into `out`, window `2r+1` with edges clamped (which for a min
 * or max is the window cut at the edges), by van Herk / Gil-Werman: per block of `2r+1`, running
 * extremes from the block's start (`fwd`) and from its end (`bwd`); any window is then the
 * extreme of one `bwd` and one `fwd` value. Works on `-line` for a min, so that one loop serves.
 */
function lineMax(
  line: Float64Array,
  out: Float64Array,
  fwd: Float64Array,
  bwd: Float64Array,
  n: number,
  r: number,
): void {
  const k = 2 * r + 1;
  for (let start = 0; start < n; start += k) {
    const end = start + k < n ? start + k : n;
    let acc = line[start];
    fwd[start] = acc;
    for (let i = start + 1; i < end; i++) {
      if (line[i] > acc) acc = line[i];
      fwd[i] = acc;
    }
    acc = line[end - 1];
    bwd[end - 1] = acc;
    for (let i = end - 2; i >= start; i--) {
      if (line[i] > acc) acc = line[i];
      bwd[i] = acc;
    }
  }
  let aEnd = k; // where the block holding the window's start ends (the start moves by 1)
  for (let i = 0; i < n; i++) {
    const a = i - r;
    const b = i + r < n ? i + r : n - 1;
    if (a <= 0) {
      out[i] = fwd[b]; // the window starts at the first block's start
      continue;
    }
    if (a >= aEnd) aEnd += k;
    if (b < aEnd) out[i] = bwd[a]; // one block, cut short at the line's end
    else out[i] = bwd[a] > fwd[b] ? bwd[a] : fwd[b];
  }
}

const spareFwd = spare((n) => new Float32Array(n));
const spareBwd = spare((n) => new Float32Array(n));
const spareRows = spare((n) => new Float32Array(n));
const spareLines = spare((n) => new Float64Array(n));

/**
 * Min (`max = false`) or max filter over a `(2r+1)²` square, edges clamped. Rows one at a time
 * ({@linkcode lineMax}), then the columns all at once, a whole row of them per step (the same van
 * Herk blocks, down the rows), so that the second pass reads memory in order.
 */
export function extremeFilter(
  src: Plane,
  w: number,
  h: number,
  r: number,
  max: boolean,
): Float32Array {
  const size = w * h;
  // Every entry of these is written before it is read: buffers kept from the last call will do.
  // Signed values (`sign × src`, exact in float32: bytes and float32s negate exactly).
  const tmp = spareRows(size);
  const lines = spareLines(4 * w);
  const line = lines.subarray(0, w);
  const result = lines.subarray(w, 2 * w);
  const fwdLine = lines.subarray(2 * w, 3 * w);
  const bwdLine = lines.subarray(3 * w, 4 * w);
  const sign = max ? 1 : -1; // min(v) = -max(-v), exactly
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) line[x] = sign * src[row + x];
    lineMax(line, result, fwdLine, bwdLine, w, r);
    for (let x = 0; x < w; x++) tmp[row + x] = result[x];
  }
  const fwd = spareFwd(size);
  const bwd = spareBwd(size);
  const k = 2 * r + 1;
  for (let start = 0; start < h; start += k) {
    const end = start + k < h ? start + k : h;
    for (let x = 0, i = start * w; x < w; x++, i++) fwd[i] = tmp[i];
    for (let y = start + 1; y < end; y++) {
      for (let x = 0, i = y * w; x < w; x++, i++) {
        const v = tmp[i];
        const acc = fwd[i - w];
        fwd[i] = v > acc ? v : acc;
      }
    }
    for (let x = 0, i = (end - 1) * w; x < w; x++, i++) bwd[i] = tmp[i];
    for (let y = end - 2; y >= start; y--) {
      for (let x = 0, i = y * w; x < w; x++, i++) {
        const v = tmp[i];
        const acc = bwd[i + w];
        bwd[i] = v > acc ? v : acc;
      }
    }
  }
  const out = new Float32Array(size);
  let aEnd = k; // where the block holding the window's start ends (the start moves by 1)
  for (let y = 0; y < h; y++) {
    const a = y - r;
    const b = y + r < h ? y + r : h - 1;
    const o = y * w;
    const fb = b * w;
    if (a <= 0) {
      // The window starts at the first block's start.
      for (let x = 0; x < w; x++) out[o + x] = sign * fwd[fb + x];
      continue;
    }
    if (a >= aEnd) aEnd += k;
    const ba = a * w;
    if (b < aEnd) {
      // One block, cut short at the last row.
      for (let x = 0; x < w; x++) out[o + x] = sign * bwd[ba + x];
    } else {
      for (let x = 0; x < w; x++) {
        const p = bwd[ba + x];
        const q = fwd[fb + x];
        out[o + x] = sign * (p > q ? p : q);
      }
    }
  }
  return out;
}

const spareBlur = spare((n) => new Float32Array(n));

/** Mean over a `(2r+1)²` square (edges clamped), by running sums. */
export function boxBlur(src: Plane, w: number, h: number, r: number): Float32Array {
  // Every entry is written by the first pass before the second reads it: a kept buffer will do.
  const tmp = spareBlur(w * h);
  const out = new Float32Array(w * h);
  blurLines(src, tmp, h, w, w, 1, r);
  blurLines(tmp, out, w, h, 1, w, r);
  return out;
}

/** Running-sum mean of `count` lines of `n` values; line `l` starts at `l × gap`, steps `stride`. */
function blurLines(
  s: Plane,
  d: Float32Array,
  count: number,
  n: number,
  gap: number,
  stride: number,
  r: number,
): void {
  const last = n - 1;
  for (let l = 0; l < count; l++) {
    const start = l * gap;
    let sum = 0;
    for (let i = -r; i <= r; i++) sum += s[start + (i < 0 ? 0 : i > last ? last : i) * stride];
    for (let i = 0; i < n; i++) {
      d[start + i * stride] = sum / (2 * r + 1);
      const add = i + r + 1 > last ? last : i + r + 1;
      const drop = i - r < 0 ? 0 : i - r;
      sum += s[start + add * stride] - s[start + drop * stride];
    }
  }
}

/** Area-averaging weights: for output `o`, inputs `first[o]…first[o] + count[o] - 1`. */
interface AreaWeights {
  first: Int32Array;
  count: Int32Array;
  /** `count[o]` shares per output, from `offset[o]`. */
  offset: Int32Array;
  share: Float64Array;
}

function areaWeights(sn: number, dn: number): AreaWeights {
  const step = sn / dn;
  const first = new Int32Array(dn);
  const count = new Int32Array(dn);
  const offset = new Int32Array(dn);
  const shares: number[] = [];
  for (let o = 0; o < dn; o++) {
    const a = o * step;
    const b = a + step;
    offset[o] = shares.length;
    first[o] = -1;
    for (let i = Math.floor(a); i < Math.min(sn, Math.ceil(b)); i++) {
      const share = Math.min(b, i + 1) - Math.max(a, i);
      if (share <= 1e-6) continue;
      if (first[o] < 0) first[o] = i;
      // Inputs are consecutive: a skipped sliver can only be at either end.
      count[o] = i - first[o] + 1;
      shares.length = offset[o] + count[o] - 1;
      shares.push(share / step);
    }
    if (first[o] < 0) first[o] = 0;
  }
  return { first, count, offset, share: Float64Array.from(shares) };
}

const spareArea = spare((n) => new Float32Array(n));

/** Resamples by area averaging (each output pixel is the mean of the input area it covers). */
export function resizeArea(
  src: Plane,
  sw: number,
  sh: number,
  dw: number,
  dh: number,
): Float32Array {
  // The same size: every share is 1, so each mean is its one input (as a float32).
  if (sw === dw && sh === dh) return Float32Array.from(src);
  const wx = areaWeights(sw, dw);
  const wy = areaWeights(sh, dh);
  // Every entry is written before it is read: a buffer kept from the last call will do.
  const tmp = spareArea(dw * sh);
  areaRows(src, tmp, sw, sh, dw, wx);
  const out = new Float32Array(dw * dh);
  const { first, count, offset, share } = wy;
  for (let y = 0; y < dh; y++) {
    const row = y * dw;
    for (let j = 0; j < count[y]; j++) {
      const from = (first[y] + j) * dw;
      const s = share[offset[y] + j];
      for (let x = 0; x < dw; x++) out[row + x] += tmp[from + x] * s;
    }
  }
  return out;
}

/** The across pass of {@linkcode resizeArea}: each of `sh` rows of `sw` values into `dw` means. */
function areaRows(
  src: Plane,
  tmp: Float32Array,
  sw: number,
  sh: number,
  dw: number,
  { first, count, offset, share }: AreaWeights,
): void {
  for (let y = 0; y < sh; y++) {
    const row = y * sw;
    for (let x = 0; x < dw; x++) {
      let v = 0;
      const i0 = row + first[x];
      const s0 = offset[x];
      const n = count[x];
      for (let j = 0; j < n; j++) v += src[i0 + j] * share[s0 + j];
      tmp[y * dw + x] = v;
    }
  }
}

const spareAcross = spare((n) => new Float64Array(n));

/**
 * The first pass of a bilinear enlargement (pixel centres aligned; for a low-resolution background
 * estimate): each of the `sh` source rows interpolated across to `dw` values, in doubles, `sh × dw`
 * values in a buffer reused by the next call. Not reentrant. Output row `y` then mixes two of these
 * rows ({@linkcode bilinearDown}).
 */
export function bilinearAcross(src: Plane, sw: number, sh: number, dw: number): Float64Array {
  // The columns and weights of each output column first, so that rows are written in order.
  const left = new Int32Array(dw);
  const right = new Int32Array(dw);
  const t = new Float64Array(dw);
  for (let x = 0; x < dw; x++) {
    const fx = Math.min(sw - 1, Math.max(0, ((x + 0.5) * sw) / dw - 0.5));
    left[x] = Math.floor(fx);
    right[x] = Math.min(sw - 1, left[x] + 1);
    t[x] = fx - left[x];
  }
  // Every entry is written below before it is read: a buffer kept from the last call will do.
  const across = spareAcross(sh * dw);
  for (let y = 0; y < sh; y++) {
    const from = y * sw;
    const row = y * dw;
    for (let x = 0; x < dw; x++) {
      const tx = t[x];
      across[row + x] = src[from + left[x]] * (1 - tx) + src[from + right[x]] * tx;
    }
  }
  return across;
}

/**
 * For output row `y` of a bilinear enlargement (`sh` rows enlarged to `dh`): writes into
 * `rows` the offsets, in {@linkcode bilinearAcross}'s plane (`dw` values a row), of the two rows
 * it mixes, and returns the second one's weight.
 */
export function bilinearDown(
  y: number,
  sh: number,
  dh: number,
  dw: number,
  rows: Int32Array,
): number {
  const fy = Math.min(sh - 1, Math.max(0, ((y + 0.5) * sh) / dh - 0.5));
  const y0 = Math.floor(fy);
  rows[0] = y0 * dw;
  rows[1] = Math.min(sh - 1, y0 + 1) * dw;
  return fy - y0;
}

/** Histogram of values in 0-1 over 256 bins (`round(v × 255)`, clamped). */
export function histogram256(values: Float32Array): Uint32Array {
  const hist = new Uint32Array(256);
  for (let i = 0; i < values.length; i++) {
    // `(x + 0.5) | 0` is Math.round(x) for x ≥ 0, and at most 0 below: the clamp is the same.
    const b = (values[i] * 255 + 0.5) | 0;
    hist[b < 0 ? 0 : b > 255 ? 255 : b]++;
  }
  return hist;
}

/**
 * The first bin of `hist` at which more than `share` of its counts lie at or below it (the
 * `share` quantile of what it counted), or its last bin when none.
 *
 * @example
 * ```ts
 * import { histogramQuantile } from "./_filters.ts";
 * import { equal } from "node:assert/strict";
 * const hist = new Uint32Array(256);
 * hist[10] = 3;
 * hist[200] = 5;
 * equal(histogramQuantile(hist, 0.5), 200);
 * equal(histogramQuantile(hist, 0.25), 10);
 * ```
 */
export function histogramQuantile(hist: ArrayLike<number>, share: number): number {
  let total = 0;
  for (let v = 0; v < hist.length; v++) total += hist[v];
  let seen = 0;
  for (let v = 0; v < hist.length; v++) if ((seen += hist[v]) > share * total) return v;
  return hist.length - 1;
}

/** Otsu's threshold of values in 0-1 (256 bins): the split that maximises between-class variance. */
export function otsu(values: Float32Array): number {
  return otsuOfHistogram(histogram256(values));
}

/** {@linkcode otsu} from a 256-bin histogram of values in 0-1. */
export function otsuOfHistogram(hist: Uint32Array): number {
  let total = 0;
  let sumAll = 0;
  for (let i = 0; i < 256; i++) {
    total += hist[i];
    sumAll += i * hist[i];
  }
  let wB = 0;
  let sumB = 0;
  let best = 0;
  let bestT = 0;
  for (let t = 0; t < 256; t++) {
    wB += hist[t];
    if (wB === 0) continue;
    const wF = total - wB;
    if (wF === 0) break;
    sumB += t * hist[t];
    const mB = sumB / wB;
    const mF = (sumAll - sumB) / wF;
    const between = wB * wF * (mB - mF) ** 2;
    if (between > best) {
      best = between;
      bestT = t;
    }
  }
  return (bestT + 0.5) / 255;
}

/**
 * Distance from each pixel to the nearest pixel where `mask` is `target` (0 or 1), by a two-pass
 * 3-4 chamfer transform, times 3 (a step costs 3, a diagonal 4; within about 8 % of 3 × the
 * Euclidean distance): whole numbers, so that `cost > 3 × r` says `distance > r` exactly.
 */
export function chamferCost(mask: Uint8Array, w: number, h: number, target: number): Int32Array {
  const far = 1e9;
  const d = new Int32Array(w * h);
  for (let i = 0; i < d.length; i++) d[i] = mask[i] === target ? 0 : far;
  for (let y = 0; y < h; y++) {
    for (let x = 0, i = y * w; x < w; x++, i++) {
      let v = d[i];
      if (v === 0) continue;
      if (x > 0 && d[i - 1] + 3 < v) v = d[i - 1] + 3;
      if (y > 0) {
        if (d[i - w] + 3 < v) v = d[i - w] + 3;
        if (x > 0 && d[i - w - 1] + 4 < v) v = d[i - w - 1] + 4;
        if (x < w - 1 && d[i - w + 1] + 4 < v) v = d[i - w + 1] + 4;
      }
      d[i] = v;
    }
  }
  for (let y = h - 1; y >= 0; y--) {
    for (let x = w - 1, i = y * w + x; x >= 0; x--, i--) {
      let v = d[i];
      if (v === 0) continue;
      if (x < w - 1 && d[i + 1] + 3 < v) v = d[i + 1] + 3;
      if (y < h - 1) {
        if (d[i + w] + 3 < v) v = d[i + w] + 3;
        if (x < w - 1 && d[i + w + 1] + 4 < v) v = d[i + w + 1] + 4;
        if (x > 0 && d[i + w - 1] + 4 < v) v = d[i + w - 1] + 4;
      }
      d[i] = v;
    }
  }
  return d;
}
