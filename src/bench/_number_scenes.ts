/**
 * Synthetic photos of handwritten numbers: MNIST digits laid out on a line (with gaps, touching or
 * overlapping neighbours) and drawn into photo-like scenes (tinted paper, coloured ink, a shadow,
 * grain, sometimes ruled lines, blur, JPEG), or into scan-like pages (`"scan"`: a white A4-like
 * page of 1000-2500 px, a thin pen, small digits, gray noise, sometimes printed lines and text). Used, always with MNIST's **test** digits, by
 * `deno task bench numbers`, by the fixture generator `tests/data/make_number_fixtures.ts` and by
 * the reader's tests (with the committed grid `fixtures/mnist_test_grid.png`).
 *
 * @module
 */
import sharp from "sharp";
import type { DigitSet } from "../data/types.ts";
import { drawBetween, type Prng } from "../data/prng.ts";

/**
 * How neighbouring digits sit: apart, just touching, or overlapping, in a photo-like scene; or
 * `"scan"`: apart or just touching, written small with a thin pen on a scanned page. `"field"`: apart
 * or touching, written into a form's box (an amount on a cheque) and cut out tight around it.
 * `"tilted"`: apart, in a photo-like scene photographed turned by 10-45° either way.
 * `"punctuated"`: apart, in a photo-like scene, with the marks people put between digits: a
 * thousands separator or a decimal point (a dot or a comma), or dashes between groups (a phone
 * number, a date). `"squared"`: apart or touching, on squared paper (a grid of lines 0.45-0.7 of
 * a digit's height apart, as in a maths exercise book), in a photo-like scene. `"joined"`: apart,
 * in a photo-like scene, written in one movement: most neighbours linked by the pen's connecting
 * stroke (from the foot, middle or top of one digit to where the next begins), as cursive amounts
 * and quickly written numbers are.
 */
export type NumberLayout =
  | "gap"
  | "touching"
  | "overlap"
  | "scan"
  | "field"
  | "tilted"
  | "punctuated"
  | "squared"
  | "joined";

/** One rendered number. */
export interface NumberScene {
  /** The digits written, left to right. */
  number: string;
  /** How its digits sit. */
  layout: NumberLayout;
  /** The encoded image (JPEG or PNG). */
  bytes: Uint8Array;
  /** `"jpeg"` or `"png"`. */
  format: "jpeg" | "png";
}

/** The ink columns and rows of a 28×28 digit (values above a faint level). */
function inkBox(pixels: Uint8Array): [number, number, number, number] {
  let [x0, y0, x1, y1] = [28, 28, -1, -1];
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      if (pixels[y * 28 + x] < 40) continue;
      [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
    }
  }
  return x1 < 0 ? [0, 0, 27, 27] : [x0, y0, x1, y1];
}

function sample(pixels: Uint8Array, x: number, y: number): number {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const at = (xx: number, yy: number) =>
    xx < 0 || yy < 0 || xx > 27 || yy > 27 ? 0 : pixels[yy * 28 + xx] / 255;
  const tx = x - x0;
  const ty = y - y0;
  return (at(x0, y0) * (1 - tx) + at(x0 + 1, y0) * tx) * (1 - ty) +
    (at(x0, y0 + 1) * (1 - tx) + at(x0 + 1, y0 + 1) * tx) * ty;
}

interface Placed {
  pixels: Uint8Array;
  left: number;
  top: number;
  box: number[];
}

/**
 * Lays the digits `indices` of `set` out on a line, `size` pixels tall, each `advance()` pixels
 * after the last one's ink (drawn for every digit, the first included), a little up or down.
 * Returns the digits and the line's width.
 */
function placeDigits(
  set: DigitSet,
  indices: number[],
  size: number,
  advance: () => number,
  rng: Prng,
): { placed: Placed[]; x: number } {
  const k = 20 / size; // scene pixels → MNIST pixels (MNIST digits are 20 px tall)
  const placed: Placed[] = [];
  let x = 0;
  for (const index of indices) {
    const pixels = set.images.subarray(index * 784, (index + 1) * 784);
    const box = inkBox(pixels);
    const width = (box[2] - box[0] + 1) / k;
    const step = advance();
    if (placed.length > 0) x += step;
    placed.push({ pixels, left: x - box[0] / k, top: drawBetween(rng, -0.06, 0.06) * size, box });
    x += width;
  }
  return { placed, x };
}

/** The digits' ink (0-1, bilinear, slanted) in a `w` × `h` field, the line at the margins. */
function stampDigits(
  placed: Placed[],
  w: number,
  h: number,
  marginX: number,
  marginY: number,
  size: number,
  slant: number,
): Float32Array {
  const k = 20 / size;
  const ink = new Float32Array(w * h);
  for (const p of placed) {
    const ox = marginX + p.left;
    const oy = marginY + p.top - (p.box[1] / k) + 0.2 * size;
    for (let yy = 0; yy < Math.ceil(28 / k); yy++) {
      const y = Math.round(oy + yy);
      if (y < 0 || y >= h) continue;
      for (let xx = -Math.ceil(0.3 * size); xx < Math.ceil(28 / k + 0.3 * size); xx++) {
        const sx = Math.round(ox + xx);
        if (sx < 0 || sx >= w) continue;
        const v = sample(p.pixels, (xx + slant * (yy - 14 / k)) * k, yy * k);
        const i = y * w + sx;
        if (v > ink[i]) ink[i] = v;
      }
    }
  }
  return ink;
}

/** Where MNIST's soft strokes are cut before thinning: low enough that faint joins stay joined. */
const PEN_LEVEL = 0.3;

/**
 * The ink of a thin pen along the strokes of `ink` (0-1, `w` × `h`): the strokes (ink over
 * `PEN_LEVEL`) thinned to one pixel (Zhang and Suen's thinning), then drawn again as a disc of `radius`
 * pixels at each pixel of that skeleton, its edge antialiased. Returns the pen's cover, 0-1.
 */
function thinPen(ink: Float32Array, w: number, h: number, radius: number): Float32Array {
  const on = new Uint8Array(w * h);
  for (let i = 0; i < on.length; i++) on[i] = ink[i] > PEN_LEVEL ? 1 : 0;
  const at = (x: number, y: number) => x < 0 || y < 0 || x >= w || y >= h ? 0 : on[y * w + x];
  for (let changed = true; changed;) {
    changed = false;
    for (const pass of [0, 1]) {
      const drop: number[] = [];
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          if (on[y * w + x] === 0) continue;
          // The neighbours clockwise from north: P2 … P9.
          const n = [
            at(x, y - 1),
            at(x + 1, y - 1),
            at(x + 1, y),
            at(x + 1, y + 1),
            at(x, y + 1),
            at(x - 1, y + 1),
            at(x - 1, y),
            at(x - 1, y - 1),
          ];
          const count = n.reduce((a, b) => a + b, 0);
          let turns = 0;
          for (let k = 0; k < 8; k++) if (n[k] === 0 && n[(k + 1) % 8] === 1) turns++;
          const [p2, p4, p6, p8] = [n[0], n[2], n[4], n[6]];
          const keep = pass === 0
            ? p2 * p4 * p6 !== 0 || p4 * p6 * p8 !== 0
            : p2 * p4 * p8 !== 0 || p2 * p6 * p8 !== 0;
          if (count >= 2 && count <= 6 && turns === 1 && !keep) drop.push(y * w + x);
        }
      }
      for (const i of drop) on[i] = 0;
      if (drop.length > 0) changed = true;
    }
  }
  const cover = new Float32Array(w * h);
  const r = Math.ceil(radius + 1);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (on[y * w + x] === 0) continue;
      for (let dy = -r; dy <= r; dy++) {
        for (let dx = -r; dx <= r; dx++) {
          const [xx, yy] = [x + dx, y + dy];
          if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
          const v = Math.min(1, Math.max(0, radius + 0.5 - Math.hypot(dx, dy)));
          if (v > cover[yy * w + xx]) cover[yy * w + xx] = v;
        }
      }
    }
  }
  return cover;
}

/**
 * A scanned page: white (a little gray, a faint tint), A4-shaped (portrait seven times in ten),
 * 1000-2500 px on its long side; the number written small (digits 28-70 px tall) with a thin pen
 * (MNIST's strokes thinned to their skeleton, drawn again 1.5-3.5 px wide), apart or just touching,
 * somewhere in the lower part of the page; half the time on a printed form line, with other thin
 * printed rules elsewhere; one time in three a block of printed-looking text near the top; gray
 * noise, and JPEG at quality 55-90 four times in five.
 */
async function renderScanScene(
  set: DigitSet,
  indices: number[],
  rng: Prng,
): Promise<NumberScene> {
  const size = Math.round(drawBetween(rng, 28, 70));
  const { placed, x } = placeDigits(
    set,
    indices,
    size,
    () => drawBetween(rng, -0.05, 0.45) * size,
    rng,
  );
  const slant = drawBetween(rng, -0.15, 0.15);
  const lw = Math.ceil(x + 0.6 * size);
  const lh = Math.ceil(1.6 * size);
  const line = stampDigits(placed, lw, lh, 0.3 * size, 0.1 * size, size, slant);
  const long = Math.round(drawBetween(rng, 1000, 2500));
  const portrait = rng() < 0.7;
  const w = Math.max(portrait ? Math.round(long / Math.SQRT2) : long, lw + 40);
  const h = portrait ? long : Math.round(long / Math.SQRT2);
  const left = Math.round(drawBetween(rng, 0.05 * w, Math.max(0.05 * w, w - lw - 0.05 * w)));
  const top = Math.round(drawBetween(rng, 0.4 * h, 0.85 * h - lh));
  const pen = thinPen(line, lw, lh, drawBetween(rng, 0.7, 1.7));
  const paper = drawBetween(rng, 236, 252);
  const tint = [drawBetween(rng, -3, 3), drawBetween(rng, -3, 3), drawBetween(rng, -3, 3)];
  const color = rng() < 0.6 ? [30, 30, 38] : [28, 45, 140];
  const noise = drawBetween(rng, 2, 8);
  // Printed marks, as gray levels over the page (0 = none).
  const print = new Float32Array(w * h);
  const rule = (y: number, x0: number, x1: number, thick: number, level: number) => {
    for (let t = 0; t < thick; t++) {
      for (let xx = Math.max(0, x0); xx < Math.min(w, x1); xx++) {
        if (y + t >= 0 && y + t < h) print[(y + t) * w + xx] = level;
      }
    }
  };
  if (rng() < 0.5) {
    // A form: the number on a printed line, and other lines above and below it.
    const thick = rng() < 0.6 ? 1 : 2;
    const level = drawBetween(rng, 0.35, 0.7);
    const base = top + Math.round(0.1 * size + 1.25 * size);
    const gap = Math.round(drawBetween(rng, 1.8, 3) * size);
    const x0 = Math.round(drawBetween(rng, 0.03, 0.1) * w);
    const x1 = Math.round(drawBetween(rng, 0.85, 0.97) * w);
    for (let y = base % gap; y < h; y += gap) {
      if (y > 0.3 * h) rule(y, x0, x1, thick, level);
    }
  }
  if (rng() < 1 / 3) {
    // Printed text near the top: lines of words, each letter a small dark box or bar.
    const xh = Math.round(drawBetween(rng, 8, 16));
    const lead = Math.round(drawBetween(rng, 1.8, 2.4) * xh);
    const lines = 2 + Math.floor(rng() * 6);
    const y0 = Math.round(drawBetween(rng, 0.05, 0.12) * h);
    for (let l = 0; l < lines && y0 + l * lead + xh < top - size; l++) {
      let xx = Math.round(0.08 * w);
      const end = Math.round(drawBetween(rng, 0.6, 0.92) * w);
      while (xx < end) {
        const letters = 2 + Math.floor(rng() * 8);
        for (let c = 0; c < letters && xx < end; c++) {
          const lw2 = Math.round(drawBetween(rng, 0.5, 0.8) * xh);
          const tall = rng() < 0.3 ? Math.round(0.5 * xh) : 0;
          const yTop = y0 + l * lead - tall;
          const level = drawBetween(rng, 0.7, 0.95);
          // A letter: its outline, two pixels thick (an "o", a "d", an "n" alike at this size).
          for (let yy = yTop; yy < y0 + l * lead + xh; yy++) {
            for (let q = 0; q < lw2; q++) {
              const edge = yy - yTop < 2 || y0 + l * lead + xh - yy <= 2 || q < 2 || lw2 - q <= 2;
              if (edge) print[yy * w + xx + q] = level;
            }
          }
          xx += lw2 + Math.round(0.25 * xh);
        }
        xx += Math.round(0.6 * xh);
      }
    }
  }
  const rgb = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let xx = 0; xx < w; xx++) {
      const i = y * w + xx;
      const lx = xx - left;
      const ly = y - top;
      const alpha = lx >= 0 && ly >= 0 && lx < lw && ly < lh ? pen[ly * lw + lx] : 0;
      const grain = (rng() - 0.5) * 2 * noise;
      for (let c = 0; c < 3; c++) {
        const base = (paper + tint[c]) * (1 - print[i]) + 20 * print[i];
        const value = base * (1 - alpha) + color[c] * alpha + grain;
        rgb[i * 3 + c] = Math.max(0, Math.min(255, Math.round(value)));
      }
    }
  }
  const image = sharp(rgb, { raw: { width: w, height: h, channels: 3 } });
  const format = rng() < 0.8 ? "jpeg" : "png";
  const bytes = format === "jpeg"
    ? await image.jpeg({ quality: Math.round(drawBetween(rng, 55, 90)) }).toBuffer()
    : await image.png().toBuffer();
  const number = indices.map((i) => String(set.labels![i])).join("");
  return { number, layout: "scan", bytes: new Uint8Array(bytes), format };
}

/** Paints a round-capped pen stroke from (x0, y0) to (x1, y1), `radius` pixels wide each side. */
function penStroke(
  ink: Float32Array,
  w: number,
  h: number,
  [x0, y0, x1, y1]: number[],
  radius: number,
): void {
  const [dx, dy] = [x1 - x0, y1 - y0];
  const length2 = Math.max(1e-9, dx * dx + dy * dy);
  const r = Math.ceil(radius + 1);
  for (let y = Math.floor(Math.min(y0, y1) - r); y <= Math.ceil(Math.max(y0, y1) + r); y++) {
    for (let x = Math.floor(Math.min(x0, x1) - r); x <= Math.ceil(Math.max(x0, x1) + r); x++) {
      if (x < 0 || y < 0 || x >= w || y >= h) continue;
      const t = Math.max(0, Math.min(1, ((x - x0) * dx + (y - y0) * dy) / length2));
      const d = Math.hypot(x - x0 - t * dx, y - y0 - t * dy);
      const v = Math.min(1, Math.max(0, radius + 0.5 - d));
      if (v > ink[y * w + x]) ink[y * w + x] = v;
    }
  }
}

/**
 * Where a punctuated number's marks go: before which digits, and which mark. Thousands separators
 * (every three digits from the right, a dot or a comma) for four digits or more one time in two,
 * else a decimal point before the last two digits (a dot or a comma), or dashes between two or
 * three groups of two to four digits (a phone number, a date).
 */
function punctuation(length: number, rng: Prng): Map<number, "dot" | "comma" | "dash"> {
  const marks = new Map<number, "dot" | "comma" | "dash">();
  const style = rng();
  const point = rng() < 0.5 ? "dot" : "comma";
  if (style < 0.4 && length >= 4) {
    for (let i = length - 3; i > 0; i -= 3) marks.set(i, point);
  } else if (style < 0.7 && length >= 3) {
    marks.set(length - 2, point);
  } else {
    for (let i = 2 + Math.floor(rng() * 3); i < length - 1; i += 2 + Math.floor(rng() * 3)) {
      marks.set(i, "dash");
    }
    if (marks.size === 0) marks.set(Math.floor(length / 2), "dash");
  }
  return marks;
}

/** The ink pixel of `ink` (`w` wide) furthest left (`side` -1) or right (+1) in rows `y0…y1`. */
function edgeInk(
  ink: Float32Array,
  w: number,
  [y0, y1]: [number, number],
  side: -1 | 1,
): [number, number] | null {
  let best: [number, number] | null = null;
  for (let y = Math.max(0, Math.round(y0)); y <= Math.round(y1) && y * w < ink.length; y++) {
    for (let x = 0; x < w; x++) {
      if (ink[y * w + x] < 0.5) continue;
      if (best === null || (side > 0 ? x > best[0] : x < best[0])) best = [x, y];
    }
  }
  return best;
}

/**
 * Links neighbouring digits (each pair four times in five) with the pen's connecting stroke: from
 * the right edge of one digit's ink, at its foot (six times in ten), middle or top, to the left edge
 * of the next digit's, at its top (half the time) or middle; a curve that sags or rises a little,
 * 0.6-1 times as wide as the digits' strokes (MNIST's strokes are about a tenth of their height).
 */
function joinDigits(
  ink: Float32Array,
  placed: Placed[],
  w: number,
  h: number,
  [marginX, marginY, size, slant]: [number, number, number, number],
  rng: Prng,
): void {
  // Each digit's ink alone, to find where its strokes end.
  const alone = placed.map((p) => stampDigits([p], w, h, marginX, marginY, size, slant));
  /** Rows `from`-`to` of digit `p`'s height (its top is `stampDigits()`'s). */
  const band = (p: Placed, from: number, to: number): [number, number] => {
    const top = marginY + p.top + 0.2 * size;
    return [top + from * size, top + to * size];
  };
  for (let i = 0; i + 1 < placed.length; i++) {
    if (rng() >= 0.8) continue;
    const [a, b] = [placed[i], placed[i + 1]];
    const out = rng();
    const exit = edgeInk(
      alone[i],
      w,
      out < 0.6 ? band(a, 0.65, 1) : out < 0.9 ? band(a, 0.35, 0.65) : band(a, 0, 0.3),
      1,
    );
    const entry = edgeInk(
      alone[i + 1],
      w,
      rng() < 0.5 ? band(b, 0, 0.35) : band(b, 0.3, 0.65),
      -1,
    );
    if (exit === null || entry === null || entry[0] <= exit[0]) continue;
    const radius = drawBetween(rng, 0.6, 1) * 0.05 * size;
    const sag = drawBetween(rng, -0.1, 0.2) * size;
    const [cx, cy] = [(exit[0] + entry[0]) / 2, (exit[1] + entry[1]) / 2 + sag];
    // A quadratic curve through (cx, cy)'s pull, in eight straight pieces.
    const at = (t: number) => [
      (1 - t) ** 2 * exit[0] + 2 * t * (1 - t) * cx + t * t * entry[0],
      (1 - t) ** 2 * exit[1] + 2 * t * (1 - t) * cy + t * t * entry[1],
    ];
    for (let s = 0; s < 8; s++) penStroke(ink, w, h, [...at(s / 8), ...at((s + 1) / 8)], radius);
  }
}

/**
 * A number written into a box of a form (the amount on a cheque, a field of a meter-reading card),
 * scanned in gray and cut out tight around the box: the crop 1.1-1.5 times the digits' height (24-48
 * px), the digits 8-30 % of their height from its sides; the box's ruled lines along the crop's
 * bottom (four times in five) and top (one time in two), 1-2 px, where a digit may touch them; one
 * time in two the paper printed with a fine wavy security pattern; one time in three a filler dash
 * after the number (the way amounts are closed), a thick pen (MNIST's strokes) or a thin one; JPEG.
 */
async function renderFieldScene(
  set: DigitSet,
  indices: number[],
  rng: Prng,
): Promise<NumberScene> {
  const size = Math.round(drawBetween(rng, 24, 48));
  const { placed, x } = placeDigits(
    set,
    indices,
    size,
    () => drawBetween(rng, -0.06, 0.4) * size,
    rng,
  );
  const slant = drawBetween(rng, -0.15, 0.15);
  const marginX = drawBetween(rng, 0.08, 0.3) * size;
  const dash = rng() < 1 / 3 ? drawBetween(rng, 0.4, 1.2) * size : 0;
  // The slant leans the digits' tops or feet out by up to 0.15 × their height on either side.
  const lean = 0.15 * size;
  const w = Math.round(x + 2 * marginX + 2 * lean + (dash > 0 ? dash + 0.2 * size : 0));
  const h = Math.round(drawBetween(rng, 1.1, 1.5) * size);
  // The digits' tops: `stampDigits()` puts them 0.2 × size under `marginY`.
  const marginY = drawBetween(rng, 0, h - 1.05 * size) - 0.2 * size;
  const strokes = stampDigits(placed, w, h, marginX + lean, marginY, size, slant);
  const thin = rng() < 0.5;
  const ink = thin ? thinPen(strokes, w, h, drawBetween(rng, 0.6, 1.4)) : strokes;
  if (dash > 0) {
    // A stroke from about the last digit's edge, at 30-60 % of its height, as wide as a pen.
    const y = marginY + 0.2 * size + drawBetween(rng, 0.3, 0.6) * size;
    const pen = thin ? drawBetween(rng, 1.2, 2.8) : 0.12 * size;
    const x0 = marginX + lean + x + drawBetween(rng, -0.05, 0.2) * size;
    const tilt = drawBetween(rng, -0.1, 0.1);
    for (let xx = Math.floor(x0); xx < Math.min(w, x0 + dash); xx++) {
      const cy = y + tilt * (xx - x0);
      for (let yy = Math.floor(cy - pen); yy <= Math.ceil(cy + pen); yy++) {
        if (yy < 0 || yy >= h || xx < 0) continue;
        const v = Math.min(1, Math.max(0, pen / 2 + 0.5 - Math.abs(yy - cy)));
        if (v > ink[yy * w + xx]) ink[yy * w + xx] = v;
      }
    }
  }
  const paper = drawBetween(rng, 170, 235);
  const ink0 = drawBetween(rng, 15, 60);
  const pattern = rng() < 0.5 ? drawBetween(rng, 8, 30) : 0;
  const period = drawBetween(rng, 3.5, 8);
  const angle = drawBetween(rng, 0, Math.PI);
  const wave = drawBetween(rng, 2, 12);
  const [ca, sa] = [Math.cos(angle), Math.sin(angle)];
  const rules: number[] = [];
  if (rng() < 0.8) rules.push(h - 1 - Math.floor(drawBetween(rng, 0, 0.08) * h));
  if (rng() < 0.5) rules.push(Math.floor(drawBetween(rng, 0, 0.08) * h));
  const thick = rng() < 0.6 ? 1 : 2;
  const ruleLevel = drawBetween(rng, 0.4, 0.8);
  const grain = drawBetween(rng, 2, 8);
  const gray = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const onRule = rules.some((r) => y >= r - thick + 1 && y <= r);
    for (let xx = 0; xx < w; xx++) {
      const i = y * w + xx;
      const u = (xx * ca + y * sa) / period + Math.sin((xx * sa - y * ca) / (4 * wave)) * 1.5;
      const lines = pattern * Math.max(0, Math.cos(2 * Math.PI * u)) ** 4;
      let base = paper - lines;
      if (onRule) base = base * (1 - ruleLevel) + ink0 * ruleLevel;
      const alpha = thin ? ink[i] : Math.min(1, Math.max(0, (ink[i] - 0.2) / 0.4));
      const v = base * (1 - alpha) + ink0 * alpha + (rng() - 0.5) * 2 * grain;
      gray[i] = Math.max(0, Math.min(255, Math.round(v)));
    }
  }
  const bytes = await sharp(gray, { raw: { width: w, height: h, channels: 1 } })
    .jpeg({ quality: Math.round(drawBetween(rng, 70, 92)) })
    .toBuffer();
  const number = indices.map((i) => String(set.labels![i])).join("");
  return { number, layout: "field", bytes: new Uint8Array(bytes), format: "jpeg" };
}

/**
 * Renders the digits `indices` of `set` as one number in a photo-like scene (on ruled paper one
 * time in four, or as `options.ruled` says; turned 10-45° for `"tilted"`).
 *
 * @example
 * ```ts ignore
 * const scene = await renderNumberScene(set, [3, 14, 15], "touching", createRng(1));
 * await Deno.writeFile("n.jpg", scene.bytes);
 * ```
 */
export async function renderNumberScene(
  set: DigitSet,
  indices: number[],
  layout: NumberLayout,
  rng: Prng,
  options: { ruled?: boolean } = {},
): Promise<NumberScene> {
  if (layout === "scan") return await renderScanScene(set, indices, rng);
  if (layout === "field") return await renderFieldScene(set, indices, rng);
  const size = Math.round(drawBetween(rng, 36, 90)); // digit height in scene pixels
  const k = 20 / size; // scene pixels → MNIST pixels (MNIST digits are 20 px tall)
  const marks = layout === "punctuated" ? punctuation(indices.length, rng) : new Map();
  let placing = 0; // the digit whose advance is drawn next
  const advance = layout === "punctuated"
    ? () => (marks.has(placing++) ? drawBetween(rng, 0.5, 0.8) : drawBetween(rng, 0.15, 0.4)) * size
    : layout === "gap" || layout === "tilted"
    ? () => drawBetween(rng, 0.15, 0.6) * size
    : layout === "joined"
    ? () => drawBetween(rng, 0.1, 0.45) * size
    : layout === "squared"
    ? () => drawBetween(rng, -0.05, 0.5) * size
    : layout === "touching"
    ? () => drawBetween(rng, -0.06, 0) * size
    : () => drawBetween(rng, -0.16, -0.06) * size;
  const { placed, x } = placeDigits(set, indices, size, advance, rng);
  const marginX = drawBetween(rng, 0.3, 1.2) * size;
  const marginY = drawBetween(rng, 0.4, 1.0) * size;
  const w = Math.round(x + 2 * marginX);
  const h = Math.round(size * 1.4 + 2 * marginY);
  const slant = drawBetween(rng, -0.15, 0.15);
  const ink = stampDigits(placed, w, h, marginX, marginY, size, slant);
  if (layout === "joined") joinDigits(ink, placed, w, h, [marginX, marginY, size, slant], rng);
  const k20 = 20 / size;
  for (const [i, mark] of marks) {
    // Halfway between the ink of the digits either side, on the line's foot or its middle.
    const [a, b] = [placed[i - 1], placed[i]];
    const x = marginX + (a.left + (a.box[2] + 1) / k20 + b.left + b.box[0] / k20) / 2;
    const foot = marginY + 1.15 * size;
    const pen = drawBetween(rng, 0.05, 0.08) * size;
    const stroke = mark === "dot"
      ? [x, foot - pen, x + 0.01 * size, foot - pen]
      : mark === "comma"
      ? [x + 0.03 * size, foot - pen, x - 0.06 * size, foot + 0.2 * size]
      : [x - 0.18 * size, marginY + 0.7 * size, x + 0.18 * size, marginY + 0.68 * size];
    penStroke(ink, w, h, stroke, mark === "dot" ? 1.3 * pen : pen);
  }
  const paper = [
    drawBetween(rng, 200, 250),
    drawBetween(rng, 195, 245),
    drawBetween(rng, 185, 240),
  ];
  const pen = rng() < 0.5 ? [25, 25, 35] : [30, 50, 160];
  const shadow = drawBetween(rng, 0, 0.35);
  const grain = drawBetween(rng, 3, 14);
  const lined = rng() < 0.25;
  const squared = layout === "squared";
  const ruled = squared
    ? 0
    : (options.ruled ?? lined)
    ? Math.round(drawBetween(rng, 1.2, 1.8) * size)
    : 0;
  const baseline = Math.round(marginY + 0.2 * size + 20 / k) + ruled * 4;
  // Squared paper: rows and columns of lines a cell apart, the digits' foot on a row.
  const cell = squared ? Math.max(4, Math.round(drawBetween(rng, 0.45, 0.7) * size)) : 0;
  const column = squared ? Math.floor(rng() * cell) : 0;
  const rgb = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let xx = 0; xx < w; xx++) {
      const i = y * w + xx;
      const alpha = Math.min(1, Math.max(0, (ink[i] - 0.2) / 0.4));
      // Ruled paper: the digits stand on a line (their bottom), the next lines above and below.
      const onRule = (ruled > 0 && (y - baseline) % ruled === 0) ||
        (cell > 0 && ((y - baseline) % cell === 0 || xx % cell === column));
      const light = 1 - shadow * (xx / w) + ((rng() - 0.5) * 2 * grain) / 255;
      for (let c = 0; c < 3; c++) {
        const base = onRule && alpha < 0.4 ? [120, 150, 220][c] : paper[c];
        const v = (base * (1 - alpha) + pen[c] * alpha) * light;
        rgb[i * 3 + c] = Math.max(0, Math.min(255, Math.round(v)));
      }
    }
  }
  let image = sharp(rgb, { raw: { width: w, height: h, channels: 3 } });
  if (rng() < 0.3) image = sharp(await image.blur(0.8).png().toBuffer());
  const format = rng() < 0.7 ? "jpeg" : "png";
  if (layout === "tilted") {
    // Turned 10-45° either way, the corners filled with the paper (in its shadowed tone).
    const angle = drawBetween(rng, 10, 45) * (rng() < 0.5 ? -1 : 1);
    const [r, g, b] = paper.map((c) => Math.round(c * (1 - shadow / 2)));
    image = sharp(await image.rotate(angle, { background: { r, g, b } }).png().toBuffer());
  }
  const bytes = format === "jpeg"
    ? await image.jpeg({ quality: 75 }).toBuffer()
    : await image.png().toBuffer();
  const number = indices.map((i) => String(set.labels![i])).join("");
  return { number, layout, bytes: new Uint8Array(bytes), format };
}
