/** Small image filters on row-major float or byte planes. */

type Plane = Float32Array | Uint8Array;

/** Sliding-window extreme (min or max) of one line, window `2r+1`, edges clamped (monotone deque). */
function lineExtreme(
  src: Plane,
  dst: Float32Array,
  start: number,
  stride: number,
  length: number,
  r: number,
  max: boolean,
): void {
  const queue = new Int32Array(length);
  let head = 0;
  let tail = 0;
  const better = (a: number, b: number) => (max ? a >= b : a <= b);
  let next = 0;
  for (let i = 0; i < length; i++) {
    const hi = Math.min(length - 1, i + r);
    while (next <= hi) {
      const v = src[start + next * stride];
      while (tail > head && better(v, src[start + queue[tail - 1] * stride])) tail--;
      queue[tail++] = next++;
    }
    while (queue[head] < i - r) head++;
    dst[start + i * stride] = src[start + queue[head] * stride];
  }
}

/** Min (`max = false`) or max filter over a `(2r+1)²` square. */
export function extremeFilter(
  src: Plane,
  w: number,
  h: number,
  r: number,
  max: boolean,
): Float32Array {
  const tmp = new Float32Array(w * h);
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) lineExtreme(src, tmp, y * w, 1, w, r, max);
  for (let x = 0; x < w; x++) lineExtreme(tmp, out, x, w, h, r, max);
  return out;
}

/** Mean over a `(2r+1)²` square (edges clamped), by running sums. */
export function boxBlur(src: Plane, w: number, h: number, r: number): Float32Array {
  const tmp = new Float32Array(w * h);
  const out = new Float32Array(w * h);
  const pass = (s: Plane, d: Float32Array, start: number, stride: number, n: number) => {
    let sum = 0;
    const at = (i: number) => s[start + Math.min(n - 1, Math.max(0, i)) * stride];
    for (let i = -r; i <= r; i++) sum += at(i);
    for (let i = 0; i < n; i++) {
      d[start + i * stride] = sum / (2 * r + 1);
      sum += at(i + r + 1) - at(i - r);
    }
  };
  for (let y = 0; y < h; y++) pass(src, tmp, y * w, 1, w);
  for (let x = 0; x < w; x++) pass(tmp, out, x, w, h);
  return out;
}

/** Resamples by area averaging (each output pixel is the mean of the input area it covers). */
export function resizeArea(
  src: Plane,
  sw: number,
  sh: number,
  dw: number,
  dh: number,
): Float32Array {
  const weights = (sn: number, dn: number) => {
    // For each output index, the input indices and the share of each.
    const rows: Array<Array<[number, number]>> = [];
    const step = sn / dn;
    for (let o = 0; o < dn; o++) {
      const a = o * step;
      const b = a + step;
      const row: Array<[number, number]> = [];
      for (let i = Math.floor(a); i < Math.min(sn, Math.ceil(b)); i++) {
        const share = Math.min(b, i + 1) - Math.max(a, i);
        if (share > 1e-6) row.push([i, share / step]);
      }
      rows.push(row);
    }
    return rows;
  };
  const wx = weights(sw, dw);
  const wy = weights(sh, dh);
  const tmp = new Float32Array(dw * sh);
  for (let y = 0; y < sh; y++) {
    for (let x = 0; x < dw; x++) {
      let v = 0;
      for (const [i, s] of wx[x]) v += src[y * sw + i] * s;
      tmp[y * dw + x] = v;
    }
  }
  const out = new Float32Array(dw * dh);
  for (let y = 0; y < dh; y++) {
    for (const [i, s] of wy[y]) {
      for (let x = 0; x < dw; x++) out[y * dw + x] += tmp[i * dw + x] * s;
    }
  }
  return out;
}

/** Bilinear resize (for enlarging a low-resolution background estimate). */
export function resizeBilinear(
  src: Plane,
  sw: number,
  sh: number,
  dw: number,
  dh: number,
): Float32Array {
  const out = new Float32Array(dw * dh);
  for (let y = 0; y < dh; y++) {
    const fy = Math.min(sh - 1, Math.max(0, ((y + 0.5) * sh) / dh - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(sh - 1, y0 + 1);
    const ty = fy - y0;
    for (let x = 0; x < dw; x++) {
      const fx = Math.min(sw - 1, Math.max(0, ((x + 0.5) * sw) / dw - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(sw - 1, x0 + 1);
      const tx = fx - x0;
      const top = src[y0 * sw + x0] * (1 - tx) + src[y0 * sw + x1] * tx;
      const bottom = src[y1 * sw + x0] * (1 - tx) + src[y1 * sw + x1] * tx;
      out[y * dw + x] = top * (1 - ty) + bottom * ty;
    }
  }
  return out;
}

/** Otsu's threshold of values in 0-1 (256 bins): the split that maximises between-class variance. */
export function otsu(values: Float32Array): number {
  const hist = new Float64Array(256);
  for (const v of values) hist[Math.min(255, Math.max(0, Math.round(v * 255)))]++;
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
 * 3-4 chamfer transform, in pixels (within about 8 % of the Euclidean distance).
 */
export function chamferDistance(
  mask: Uint8Array,
  w: number,
  h: number,
  target: number,
): Float32Array {
  const far = 1e9;
  const d = new Float32Array(w * h);
  for (let i = 0; i < d.length; i++) d[i] = mask[i] === target ? 0 : far;
  const relax = (i: number, j: number, cost: number) => {
    if (d[j] + cost < d[i]) d[i] = d[j] + cost;
  };
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (x > 0) relax(i, i - 1, 3);
      if (y > 0) {
        relax(i, i - w, 3);
        if (x > 0) relax(i, i - w - 1, 4);
        if (x < w - 1) relax(i, i - w + 1, 4);
      }
    }
  }
  for (let y = h - 1; y >= 0; y--) {
    for (let x = w - 1; x >= 0; x--) {
      const i = y * w + x;
      if (x < w - 1) relax(i, i + 1, 3);
      if (y < h - 1) {
        relax(i, i + w, 3);
        if (x < w - 1) relax(i, i + w + 1, 4);
        if (x > 0) relax(i, i + w - 1, 4);
      }
    }
  }
  for (let i = 0; i < d.length; i++) d[i] /= 3;
  return d;
}
