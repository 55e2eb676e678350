import { drawBetween, type Prng } from "../data/prng.ts";
import { sampleDigit } from "./_sample.ts";

/** Options for {@linkcode augmentBatch}; ranges are symmetric unless noted. */
export interface AugmentOptions {
  /** Largest rotation, in degrees either way. @default {15} */
  maxRotation?: number;
  /** Scale range `[min, max]`. @default {[0.8, 1.15]} */
  scale?: [number, number];
  /** Largest horizontal shear (x += shear × y). @default {0.25} */
  maxShear?: number;
  /** Largest shift, in pixels along each axis. @default {2.5} */
  maxShift?: number;
  /** Largest elastic displacement, in pixels (a smooth random field on a 4×4 grid). @default {1.5} */
  elastic?: number;
  /** Chance of thickening the strokes (3×3 dilation, blended by a random amount). @default {0.3} */
  thicken?: number;
  /** Chance of thinning the strokes (3×3 erosion, blended by a random amount). @default {0.2} */
  thin?: number;
  /** Chance of a light blur (3×3 tent). @default {0.2} */
  blur?: number;
  /** Lowest contrast: the ink's peak is scaled by a random factor in `[contrast, 1]`. @default {0.75} */
  contrast?: number;
}

const SIDE = 28;
const PIXELS = SIDE * SIDE;
const GRID = 4; // elastic field control points per side

/** A smooth random displacement field: random values on a 4×4 grid, bilinearly interpolated. */
function elasticField(rng: Prng, amount: number): Float32Array {
  const grid = new Float32Array(GRID * GRID * 2);
  for (let i = 0; i < grid.length; i++) grid[i] = drawBetween(rng, -amount, amount);
  const field = new Float32Array(PIXELS * 2); // [28, 28, (dx, dy)]
  for (let y = 0; y < SIDE; y++) {
    const gy = (y / (SIDE - 1)) * (GRID - 1);
    const y0 = Math.min(GRID - 2, Math.floor(gy));
    const ty = gy - y0;
    for (let x = 0; x < SIDE; x++) {
      const gx = (x / (SIDE - 1)) * (GRID - 1);
      const x0 = Math.min(GRID - 2, Math.floor(gx));
      const tx = gx - x0;
      for (let c = 0; c < 2; c++) {
        const g = (yy: number, xx: number) => grid[(yy * GRID + xx) * 2 + c];
        field[(y * SIDE + x) * 2 + c] = (g(y0, x0) * (1 - tx) + g(y0, x0 + 1) * tx) * (1 - ty) +
          (g(y0 + 1, x0) * (1 - tx) + g(y0 + 1, x0 + 1) * tx) * ty;
      }
    }
  }
  return field;
}

/** 3×3 max (dilate) or min (erode), blended with the input by `amount`, in place. */
function morph(img: Float32Array, dilate: boolean, amount: number): void {
  const src = img.slice();
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      let v = dilate ? 0 : 1;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const yy = y + dy;
          const xx = x + dx;
          const s = yy < 0 || xx < 0 || yy >= SIDE || xx >= SIDE ? 0 : src[yy * SIDE + xx];
          v = dilate ? Math.max(v, s) : Math.min(v, s);
        }
      }
      const i = y * SIDE + x;
      img[i] = src[i] * (1 - amount) + v * amount;
    }
  }
}

/** 3×3 tent blur (weights 1-2-1 each way), in place. */
function blur(img: Float32Array): void {
  const src = img.slice();
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      let sum = 0;
      let weight = 0;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const yy = y + dy;
          const xx = x + dx;
          if (yy < 0 || xx < 0 || yy >= SIDE || xx >= SIDE) continue;
          const w = (2 - Math.abs(dx)) * (2 - Math.abs(dy));
          sum += src[yy * SIDE + xx] * w;
          weight += w;
        }
      }
      img[y * SIDE + x] = sum / weight;
    }
  }
}

/**
 * Random distortions of a batch of MNIST digits, so that a model trained on them reads digits as
 * the photo pipeline renders them: rotation, scale, shear, shift and a smooth elastic warp (one
 * inverse mapping, bilinear), then sometimes thicker or thinner strokes, a light blur and a lower
 * contrast. Deterministic for a given `rng` state. Returns `n × 784` floats in 0-1.
 *
 * @example
 * ```ts
 * import { augmentBatch } from "./augment.ts";
 * import { mulberry32 } from "../data/prng.ts";
 * import { deepEqual, equal, ok } from "node:assert/strict";
 * const images = new Uint8Array(2 * 784);
 * for (let y = 6; y < 22; y++) images[y * 28 + 13] = images[784 + y * 28 + 14] = 255;
 * const a = augmentBatch(images, 2, mulberry32(7));
 * equal(a.length, 2 * 784);
 * ok(a.every((v) => v >= 0 && v <= 1));
 * deepEqual(a, augmentBatch(images, 2, mulberry32(7)));
 * ```
 */
export function augmentBatch(
  images: Uint8Array,
  n: number,
  rng: Prng,
  options: AugmentOptions = {},
): Float32Array {
  const {
    maxRotation = 15,
    scale = [0.8, 1.15],
    maxShear = 0.25,
    maxShift = 2.5,
    elastic = 1.5,
    thicken = 0.3,
    thin = 0.2,
    blur: blurChance = 0.2,
    contrast = 0.75,
  } = options;
  if (images.length < n * PIXELS) {
    throw new RangeError(
      `Cannot augment ${n} images: expected ${n * PIXELS} bytes, found ${images.length}`,
    );
  }
  const out = new Float32Array(n * PIXELS);
  const c = (SIDE - 1) / 2;
  for (let k = 0; k < n; k++) {
    const angle = (drawBetween(rng, -maxRotation, maxRotation) * Math.PI) / 180;
    const s = drawBetween(rng, scale[0], scale[1]);
    const shear = drawBetween(rng, -maxShear, maxShear);
    const tx = drawBetween(rng, -maxShift, maxShift);
    const ty = drawBetween(rng, -maxShift, maxShift);
    const field = elasticField(rng, elastic);
    // Forward map: p' = R · S · H · (p - c) + c + t. Inverse of the 2×2 part for sampling.
    const cos = Math.cos(angle);
    const sin = Math.sin(angle);
    const [a, b, cc, d] = [s * cos, s * (cos * shear - sin), s * sin, s * (sin * shear + cos)];
    const det = a * d - b * cc;
    const [ia, ib, ic, id] = [d / det, -b / det, -cc / det, a / det];
    const img = out.subarray(k * PIXELS, (k + 1) * PIXELS);
    for (let y = 0; y < SIDE; y++) {
      for (let x = 0; x < SIDE; x++) {
        const px = x - c - tx;
        const py = y - c - ty;
        const e = (y * SIDE + x) * 2;
        const sx = ia * px + ib * py + c + field[e];
        const sy = ic * px + id * py + c + field[e + 1];
        img[y * SIDE + x] = sampleDigit(images, k * PIXELS, sx, sy);
      }
    }
    const stroke = rng();
    if (stroke < thicken) morph(img, true, drawBetween(rng, 0.4, 1));
    else if (stroke < thicken + thin) morph(img, false, drawBetween(rng, 0.3, 0.7));
    if (rng() < blurChance) blur(img);
    const gain = drawBetween(rng, contrast, 1);
    let peak = 0;
    for (const v of img) peak = Math.max(peak, v);
    const g = peak > 0 ? gain / peak : 0;
    for (let i = 0; i < PIXELS; i++) img[i] = Math.min(1, img[i] * g);
  }
  return out;
}
