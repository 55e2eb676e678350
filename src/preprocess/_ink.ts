import {
  bilinearAcross,
  bilinearDown,
  boxBlur,
  extremeFilter,
  floodStack,
  histogram256,
  histogramQuantile,
  otsuOfHistogram,
  resizeArea,
} from "./_filters.ts";
import { spare } from "./_spare.ts";

/** The ink of an image: how much each pixel differs from the local background (0-1). */
export interface InkMap {
  /** `width × height` values, 0 = background, 1 = full-contrast ink. */
  ink: Float32Array;
  /** Whether the background was light (dark ink) or dark (light ink). */
  polarity: "dark_on_light" | "light_on_dark";
  /** The background estimate, in the ink-bright orientation (0-255), for the debug images. */
  background: Float32Array;
}

/** Long side at which the background is estimated (it varies slowly, so this is plenty). */
const BACKGROUND_SIZE = 128;

/**
 * Decides the polarity, turns the image so that ink is bright, estimates the background by a
 * large grey-level opening (which removes strokes thinner than the window) and divides it out, so
 * that shadows and lighting gradients leave the same contrast everywhere.
 */
export function inkMap(gray: Uint8Array, w: number, h: number): InkMap {
  const ink = new Float32Array(gray.length);
  const background = new Float32Array(gray.length);
  const polarity = divideOutBackground(gray, w, h, ink, background);
  return { ink, polarity, background };
}

/**
 * The `ink` of {@linkcode inkMap}, the same values, written into `into` (`w × h` or longer)
 * without storing the background plane: for a caller that needs neither it nor a fresh array.
 */
export function inkInto(gray: Uint8Array, w: number, h: number, into: Float32Array): Float32Array {
  divideOutBackground(gray, w, h, into, null);
  return into;
}

const spareBright = spare((n) => new Uint8Array(n));

/** Writes the ink (and the background, when given a plane for it); returns the polarity. */
function divideOutBackground(
  gray: Uint8Array,
  w: number,
  h: number,
  ink: Float32Array,
  background: Float32Array | null,
): InkMap["polarity"] {
  // The paper is most of the image (a bold digit in a tight crop still leaves it the majority).
  const hist = new Uint32Array(256);
  for (let i = 0; i < gray.length; i++) hist[gray[i]]++;
  const at = (share: number) => histogramQuantile(hist, share);
  // The ink is the tail that reaches farther from the paper's tone (the median): it may be well
  // under 1 % of the pixels (a thin digit in a large photo), so look at the extreme 0.1 %.
  const median = at(0.5);
  const lightBackground = median - at(0.001) >= at(0.999) - median;
  // Whole numbers 0-255, as bytes; every one is written here, so the last call's buffer will do.
  const bright = spareBright(gray.length).subarray(0, gray.length);
  if (lightBackground) { for (let i = 0; i < gray.length; i++) bright[i] = 255 - gray[i]; }
  else bright.set(gray);

  const scale = Math.min(1, BACKGROUND_SIZE / Math.max(w, h));
  const sw = Math.max(1, Math.round(w * scale));
  const sh = Math.max(1, Math.round(h * scale));
  const small = resizeArea(bright, w, h, sw, sh);
  const r = Math.max(2, Math.round(Math.max(sw, sh) / 10));
  const opened = extremeFilter(extremeFilter(small, sw, sh, r, false), sw, sh, r, true);
  const smooth = boxBlur(boxBlur(opened, sw, sh, Math.ceil(r / 2)), sw, sh, Math.ceil(r / 2));
  // Smoothing pulls the estimate below the paper where the light changes fast (at the edges of
  // a shadow); the opening itself never lies above the paper, so take the higher of the two.
  for (let i = 0; i < smooth.length; i++) smooth[i] = Math.max(smooth[i], opened[i]);
  // The background enlarged row by row (bilinear, rounded to float32), each row divided out as it
  // comes.
  const across = bilinearAcross(smooth, sw, sh, w);
  const rows = new Int32Array(2);
  for (let y = 0; y < h; y++) {
    const ty = bilinearDown(y, sh, h, w, rows);
    const r0 = rows[0];
    const r1 = rows[1];
    const start = y * w;
    for (let x = 0; x < w; x++) {
      const b = Math.fround(across[r0 + x] * (1 - ty) + across[r1 + x] * ty);
      if (background !== null) background[start + x] = b;
      const v = (bright[start + x] - b) / Math.max(40, 255 - b);
      // Paper noise puts `v` on either side of 0 at random: `(v + |v|) / 2` is max(0, v)
      // exactly, without a branch the CPU would mispredict half the time.
      ink[start + x] = v > 1 ? 1 : (v + Math.abs(v)) * 0.5;
    }
  }
  return lightBackground ? "dark_on_light" : "light_on_dark";
}

/** Lowest threshold accepted: below this contrast, "ink" is paper texture or sensor noise. */
const MIN_THRESHOLD = 0.16;

/**
 * Thresholds the ink map with hysteresis: pixels above Otsu's threshold (at least
 * `MIN_THRESHOLD`, and at least half the strongest ink's contrast) are seeds, and weaker pixels connected to a seed join them, so faint parts of
 * a stroke stay attached. Writes the mask into `into` (`ink.length` bytes) when given.
 */
export function thresholdInk(
  ink: Float32Array,
  w: number,
  h: number,
  into?: Uint8Array,
): Uint8Array {
  // When the digit is a tiny share of the image, Otsu splits the paper's noise instead: keep the
  // threshold at least at half the contrast of the strongest ink (the top 0.1 % of pixels).
  const hist = histogram256(ink);
  let peak = 1;
  for (let v = 255, above = 0; v >= 0; v--) {
    if ((above += hist[v]) > 0.001 * ink.length) {
      peak = v / 255;
      break;
    }
  }
  const strong = Math.max(MIN_THRESHOLD, otsuOfHistogram(hist), 0.45 * peak);
  const weak = strong * 0.6;
  const mask = into?.fill(0) ?? new Uint8Array(ink.length);
  const stack = floodStack(ink.length); // each pixel is pushed at most once
  for (let i = 0; i < ink.length; i++) {
    if (ink[i] < strong || mask[i] !== 0) continue;
    mask[i] = 1;
    let top = 0;
    stack[top++] = i;
    while (top > 0) {
      const p = stack[--top];
      const y = (p / w) | 0; // exact: p and w are whole numbers under 2³¹
      const x = p - y * w;
      const x0 = x > 0 ? x - 1 : 0;
      const x1 = x < w - 1 ? x + 1 : w - 1;
      const y0 = y > 0 ? y - 1 : 0;
      const y1 = y < h - 1 ? y + 1 : h - 1;
      for (let ny = y0; ny <= y1; ny++) {
        for (let q = ny * w + x0, end = ny * w + x1; q <= end; q++) {
          if (mask[q] === 0 && ink[q] >= weak) {
            mask[q] = 1;
            stack[top++] = q;
          }
        }
      }
    }
  }
  return mask;
}
