import type { GrayImage } from "./_decode.ts";
import { histogramQuantile } from "./_filters.ts";
import type { Box } from "./types.ts";

/** Smallest turn of a line of ink that is straightened, in degrees (handwriting wavers less). */
const MIN_TILT = 8;
/** Largest: past it, the "line" is more likely a column of marks, or one tall mark. */
const MAX_TILT = 50;
/**
 * How much longer than wide the ink must be (ratio of its spreads) to have a direction: a line of
 * three digits or more; two digits side by side (about 2.2 on own scenes) are not enough to tell
 * a turned line from digits written a little up and down.
 */
const MIN_ELONGATION = 2.5;

/**
 * The direction of the ink labelled in `labels` (a `width`-wide plane, 0 = paper), in degrees
 * counterclockwise from the x axis as seen on screen (y down), from the second moments of its
 * pixels; `null` when the ink is not clearly longer one way than the other, or the direction is
 * within `MIN_TILT` of level or farther than `MAX_TILT` from it.
 *
 * @example
 * ```ts
 * import { inkTilt } from "./_tilt.ts";
 * import { equal } from "node:assert/strict";
 * // A thick stroke rising 1 px for every 2 px to the right.
 * const labels = new Int32Array(100 * 100);
 * for (let x = 10; x < 90; x++) {
 *   for (let t = 0; t < 4; t++) labels[(80 - Math.floor(x / 2) + t) * 100 + x] = 1;
 * }
 * equal(Math.round(inkTilt(labels, 100)!), 27);
 * ```
 */
export function inkTilt(labels: Int32Array, width: number): number | null {
  let [n, sx, sy] = [0, 0, 0];
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === 0) continue;
    n++;
    sx += i % width;
    sy += Math.floor(i / width);
  }
  if (n < 10) return null;
  const [mx, my] = [sx / n, sy / n];
  let [xx, yy, xy] = [0, 0, 0];
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === 0) continue;
    const dx = (i % width) - mx;
    const dy = Math.floor(i / width) - my;
    xx += dx * dx;
    yy += dy * dy;
    xy += dx * dy;
  }
  // The spreads along the principal axes, and the direction of the longer one.
  const mean = (xx + yy) / 2;
  const root = Math.sqrt(((xx - yy) / 2) ** 2 + xy * xy);
  const [long, short] = [mean + root, Math.max(1e-9, mean - root)];
  if (long / short < MIN_ELONGATION ** 2) return null;
  const angle = (-0.5 * Math.atan2(2 * xy, xx - yy) * 180) / Math.PI; // y grows downwards
  return Math.abs(angle) < MIN_TILT || Math.abs(angle) > MAX_TILT ? null : angle;
}

/** An image turned level, and the way back to the image it was turned from. */
export interface Levelled {
  /** The turned image (larger, to hold the whole original; corners filled with its paper). */
  gray: GrayImage;
  /** The box in the original working image (pixels) that holds a box of the turned one. */
  back(box: Box): Box;
}

/**
 * `gray` turned by `-angle` degrees (so that ink rising at `angle` lies level), bilinear, on a
 * canvas that holds all of it, the new corners filled with the image's median tone (its paper).
 * `originalWidth` and `originalHeight` grow with the canvas, so that the original pixels per
 * working pixel stay the same.
 *
 * @example
 * ```ts
 * import { level } from "./_tilt.ts";
 * import { equal } from "node:assert/strict";
 * const data = new Uint8Array(40 * 20).fill(200);
 * const gray = { width: 40, height: 20, data, originalWidth: 80, originalHeight: 40 };
 * const turned = level(gray, 30);
 * equal(turned.gray.width, Math.ceil(40 * Math.cos(Math.PI / 6) + 20 * Math.sin(Math.PI / 6)));
 * equal(turned.gray.originalWidth, 2 * turned.gray.width);
 * ```
 */
export function level(gray: GrayImage, angle: number): Levelled {
  const { width: w, height: h, data } = gray;
  const t = (angle * Math.PI) / 180;
  const [c, s] = [Math.cos(t), Math.sin(t)];
  const W = Math.ceil(w * Math.abs(c) + h * Math.abs(s));
  const H = Math.ceil(w * Math.abs(s) + h * Math.abs(c));
  const hist = new Uint32Array(256);
  for (let i = 0; i < data.length; i++) hist[data[i]]++;
  const paper = histogramQuantile(hist, 0.5);
  const out = new Uint8Array(W * H);
  const [cx, cy, CX, CY] = [w / 2, h / 2, W / 2, H / 2];
  // A pixel (X, Y) of the level image shows the point of the original turned by `angle` back
  // (on screen, y down, a rise at `angle` is a turn by -angle; undoing it turns by +angle).
  for (let Y = 0; Y < H; Y++) {
    for (let X = 0; X < W; X++) {
      const [dx, dy] = [X + 0.5 - CX, Y + 0.5 - CY];
      const x = c * dx + s * dy + cx - 0.5;
      const y = -s * dx + c * dy + cy - 0.5;
      const x0 = Math.floor(x);
      const y0 = Math.floor(y);
      if (x0 < -1 || y0 < -1 || x0 >= w || y0 >= h) {
        out[Y * W + X] = paper;
        continue;
      }
      const at = (xx: number, yy: number) =>
        xx < 0 || yy < 0 || xx >= w || yy >= h ? paper : data[yy * w + xx];
      const [fx, fy] = [x - x0, y - y0];
      const top = at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx;
      const bottom = at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx;
      out[Y * W + X] = Math.round(top * (1 - fy) + bottom * fy);
    }
  }
  const k = gray.originalWidth / w;
  const back = (box: Box): Box => {
    const corners = [[box.x, box.y], [box.x + box.width, box.y], [box.x, box.y + box.height], [
      box.x + box.width,
      box.y + box.height,
    ]].map(([X, Y]) => {
      const [dx, dy] = [X - CX, Y - CY];
      return [c * dx + s * dy + cx, -s * dx + c * dy + cy];
    });
    const xs = corners.map((p) => p[0]);
    const ys = corners.map((p) => p[1]);
    const x0 = Math.max(0, Math.floor(Math.min(...xs)));
    const y0 = Math.max(0, Math.floor(Math.min(...ys)));
    const x1 = Math.min(w, Math.ceil(Math.max(...xs)));
    const y1 = Math.min(h, Math.ceil(Math.max(...ys)));
    return { x: x0, y: y0, width: Math.max(0, x1 - x0), height: Math.max(0, y1 - y0) };
  };
  return {
    gray: { width: W, height: H, data: out, originalWidth: W * k, originalHeight: H * k },
    back,
  };
}
