import sharp from "sharp";
import type { DigitSet } from "../data/types.ts";
import { preprocessImage } from "../preprocess/mod.ts";
import { drawBetween, drawFrom, type Prng as Rng } from "../data/prng.ts";
import { woffToSfnt } from "./woff_to_sfnt.ts";
import { strokePng, TRAIN_STROKE_FONTS } from "./stroke_letters.ts";

/** Options for {@linkcode makeNonDigits}. */
export interface NonDigitOptions {
  /** How many examples to make. */
  count: number;
  /** WOFF font files to write letters and symbols in (the `@fontsource/*` handwriting families). */
  fonts: string[];
  /** Labelled digits to build pairs from (training digits only). */
  digits: DigitSet;
  /** Share of single letters and symbols. @default {0.35} */
  letters?: number;
  /** Share of words and pieces of words (as the number reader's segmentation cuts them). @default {0.2} */
  words?: number;
  /** Share of pairs of touching digits; the rest are doodles. @default {0.12} */
  pairs?: number;
  /**
   * Share of letters, symbols and made-up words drawn as pen strokes from single-stroke fonts
   * (`stroke_letters.ts`), taken from the doodles' share. @default {0}
   */
  strokes?: number;
  /** The single-stroke fonts to draw them in. @default {TRAIN_STROKE_FONTS} */
  strokeFonts?: readonly string[];
}

/**
 * Letters and symbols that do not read as a digit in handwriting (O, I, l, Z, S, B, g, q, b and
 * the like are left out: they are written like 0, 1, 2, 5, 8, 9 and 6).
 */
export const NON_DIGIT_CHARACTERS = "ACEFHKLMNPRUVWXYacdefhkmnprtuvwxy#%&@?!+=*$<>{}~";

/**
 * Letters for made-up words (the words themselves are random, so no list of real words is
 * learnt): the alphabet without the ones written like a digit on their own.
 */
const WORD_LETTERS = "abcdefhkmnprtuvwxyACEFHKLMNPRUVWXY";

/** Writes each WOFF font as a TrueType file in a temporary folder, for libvips' text renderer. */
async function installFonts(fonts: string[]): Promise<{ dir: string; files: Font[] }> {
  const dir = await Deno.makeTempDir({ prefix: "non-digit-fonts-" });
  const files: Font[] = [];
  for (const [i, font] of fonts.entries()) {
    const file = `${dir}/font${i}.ttf`;
    await Deno.writeFile(file, woffToSfnt(await Deno.readFile(font)));
    files.push({ file, family: familyOf(font) });
  }
  return { dir, files };
}

/** A font file and its family name. */
interface Font {
  file: string;
  family: string;
}

/**
 * The family of a `@fontsource` file, from its name: `indie-flower-latin-400-normal.woff` is
 * "Indie Flower" (libvips picks the font by family; the file only makes it known).
 */
export function familyOf(path: string): string {
  const name = path.slice(path.lastIndexOf("/") + 1).replace(/-latin-.*$/, "");
  return name.split("-").map((w) => w[0].toUpperCase() + w.slice(1)).join(" ");
}

const escapeMarkup = (text: string) =>
  text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");

/**
 * Thicker or thinner strokes than the font's own, one time in two (pens differ; most of these
 * families have a single weight): a dilation or erosion of the light ink by 1-3 pixels of a
 * glyph about `height` pixels tall.
 */
async function restroke(rng: Rng, png: Uint8Array, height: number): Promise<Uint8Array> {
  const roll = rng();
  if (roll < 0.5) return png;
  const width = Math.max(1, Math.round(height * drawBetween(rng, 0.01, 0.04)));
  const image = sharp(png).greyscale();
  const changed = roll < 0.8 ? image.dilate(width) : image.erode(Math.min(width, 2));
  return new Uint8Array(await changed.png().toBuffer());
}

/** `text` in a handwriting font, light on black, turned a little, as a PNG. */
async function textPng(
  rng: Rng,
  { file: fontfile, family }: Font,
  text: string,
): Promise<{ png: Uint8Array; width: number; height: number }> {
  const dpi = Math.round(drawBetween(rng, 150, 400));
  const png = await sharp({ text: { text: escapeMarkup(text), fontfile, font: family, dpi } })
    .png().toBuffer();
  const turned = sharp(png).rotate(drawBetween(rng, -12, 12), { background: "#000" })
    .extend({ top: 8, bottom: 8, left: 8, right: 8, background: "#000" });
  const { data, info } = await turned.png().toBuffer({ resolveWithObject: true });
  const thick = await restroke(rng, new Uint8Array(data), dpi / 3);
  return { png: thick, width: info.width, height: info.height };
}

/** One letter or symbol that does not read as a digit, in a handwriting font. */
async function letterPng(rng: Rng, font: Font): Promise<Uint8Array> {
  return (await textPng(rng, font, drawFrom<string>(rng, NON_DIGIT_CHARACTERS))).png;
}

/**
 * A made-up word of 2-7 letters in a handwriting font: whole, or (two times in three) a window of
 * it about as wide as tall, the piece the number reader's segmentation hands the model when
 * letters touch.
 */
async function wordPng(rng: Rng, font: Font): Promise<Uint8Array> {
  const length = 2 + Math.floor(rng() * 6);
  let word = Array.from({ length }, () => drawFrom<string>(rng, WORD_LETTERS)).join("");
  if (rng() < 0.3) word = word.toLowerCase();
  const { png, width, height } = await textPng(rng, font, word);
  if (rng() < 1 / 3 || width < height * 1.2) return png;
  const w = Math.min(width, Math.round(height * drawBetween(rng, 0.7, 1.3)));
  const left = Math.floor(rng() * (width - w + 1));
  return new Uint8Array(
    await sharp(png).extract({ left, top: 0, width: w, height }).png().toBuffer(),
  );
}

/** The first and last ink columns of digit `index` of `images` (28×28 bytes, ink of 60 and more). */
export function inkColumns(images: Uint8Array, index: number): [number, number] {
  let [x0, x1] = [28, -1];
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      if (images[index * 784 + y * 28 + x] < 60) continue;
      [x0, x1] = [Math.min(x0, x), Math.max(x1, x)];
    }
  }
  return x1 < 0 ? [0, 27] : [x0, x1];
}

/** Two training digits touching or overlapping (one piece of ink, as when written too close). */
async function pairPng(rng: Rng, digits: DigitSet): Promise<Uint8Array> {
  const a = Math.floor(rng() * digits.count);
  const b = Math.floor(rng() * digits.count);
  const [, a1] = inkColumns(digits.images, a);
  const [b0] = inkColumns(digits.images, b);
  const shift = Math.max(4, a1 - b0 - Math.round(drawBetween(rng, 1, 5)));
  const w = 28 + shift;
  const pixels = new Uint8Array(w * 28);
  for (const [index, dx] of [[a, 0], [b, shift]]) {
    const dy = Math.round(drawBetween(rng, -2, 2));
    for (let y = Math.max(0, -dy); y < Math.min(28, 28 - dy); y++) {
      for (let x = 0; x < 28; x++) {
        const v = digits.images[index * 784 + y * 28 + x];
        const at = (y + dy) * w + x + dx;
        if (v > pixels[at]) pixels[at] = v;
      }
    }
  }
  const raw = { width: w, height: 28, channels: 1 as const };
  return new Uint8Array(await sharp(pixels, { raw }).resize({ width: w * 4 }).png().toBuffer());
}

/** The kinds of doodle {@linkcode doodleSvg} draws. */
const DOODLES = [
  "strokes",
  "spiral",
  "star",
  "arrow",
  "hatching",
  "smiley",
  "cross",
  "circled",
  "zigzag",
  "grid",
] as const;

/** The SVG paths of one doodle of `kind`, in a 100×100 box. */
function doodlePaths(rng: Rng, kind: typeof DOODLES[number]): string[] {
  const n = (a: number, b: number) => drawBetween(rng, a, b).toFixed(1);
  const p = () => `${n(10, 90)} ${n(10, 90)}`;
  const [cx, cy, r] = [
    drawBetween(rng, 40, 60),
    drawBetween(rng, 40, 60),
    drawBetween(rng, 22, 38),
  ];
  const at = (angle: number, radius: number) =>
    `${(cx + radius * Math.cos(angle)).toFixed(1)} ${(cy + radius * Math.sin(angle)).toFixed(1)}`;
  const circle = (x: number, y: number, rr: number) =>
    `M ${(x - rr).toFixed(1)} ${y.toFixed(1)} a ${rr.toFixed(1)} ${
      (rr * drawBetween(rng, 0.8, 1.2))
        .toFixed(1)
    } 0 1 0 ${(2 * rr).toFixed(1)} 0 a ${rr.toFixed(1)} ${rr.toFixed(1)} 0 1 0 ${
      (-2 * rr).toFixed(1)
    } 0`;
  switch (kind) {
    case "spiral": {
      const turns = drawBetween(rng, 1.8, 3.5), start = rng() * 2 * Math.PI;
      const points = Array.from({ length: 60 }, (_, i) => {
        const t = i / 59;
        return at(start + t * turns * 2 * Math.PI, r * (0.1 + 0.9 * t));
      });
      return [`M ${points.join(" L ")}`];
    }
    case "star": {
      const arms = 5 + Math.floor(rng() * 3), step = arms === 6 ? 1 : 2, turn = rng() * Math.PI;
      const points = Array.from(
        { length: arms + 1 },
        (_, i) => at(turn + (i * step * 2 * Math.PI) / arms, r),
      );
      return [`M ${points.join(" L ")}`];
    }
    case "arrow": {
      const a = rng() * 2 * Math.PI;
      const [tip, tail] = [at(a, r), at(a + Math.PI, r)];
      return [
        `M ${tail} L ${tip}`,
        `M ${at(a + 0.4, r * 0.45)} L ${tip} L ${at(a - 0.4, r * 0.45)}`,
      ];
    }
    case "hatching": {
      const lines = 4 + Math.floor(rng() * 6), a = drawBetween(rng, 0.3, 1.2);
      const paths = Array.from({ length: lines }, (_, i) => {
        const o = -r + (2 * r * i) / (lines - 1);
        const [dx, dy] = [Math.cos(a) * r, Math.sin(a) * r];
        const [ox, oy] = [-Math.sin(a) * o, Math.cos(a) * o];
        return `M ${(cx + ox - dx).toFixed(1)} ${(cy + oy - dy).toFixed(1)} L ${
          (cx + ox + dx).toFixed(1)
        } ${(cy + oy + dy).toFixed(1)}`;
      });
      return rng() < 0.4 ? [...paths, circle(cx, cy, r * 1.05)] : paths;
    }
    case "smiley":
      return [
        circle(cx, cy, r),
        circle(cx - r * 0.35, cy - r * 0.3, r * 0.08),
        circle(cx + r * 0.35, cy - r * 0.3, r * 0.08),
        `M ${at(0.5, r * 0.55)} Q ${cx.toFixed(1)} ${
          (cy + r * drawBetween(rng, 0.5, 0.9)).toFixed(1)
        } ${at(Math.PI - 0.5, r * 0.55)}`,
      ];
    case "cross": {
      const a = rng() * Math.PI;
      return [`M ${at(a, r)} L ${at(a + Math.PI, r)}`, `M ${at(a + 1.57, r)} L ${at(a - 1.57, r)}`];
    }
    case "circled": // a circle with a mark inside or across: never a plain ring (a zero)
      return [
        circle(cx, cy, r),
        rng() < 0.5 ? `M ${at(3.9, r)} L ${at(0.8, r)}` : `M ${p()} L ${p()} L ${p()}`,
      ];
    case "zigzag": {
      const teeth = 4 + Math.floor(rng() * 5),
        y0 = drawBetween(rng, 30, 70),
        h = drawBetween(rng, 10, 30);
      const points = Array.from(
        { length: teeth + 1 },
        (_, i) => `${(10 + (80 * i) / teeth).toFixed(1)} ${(y0 + (i % 2 ? h : -h)).toFixed(1)}`,
      );
      return [`M ${points.join(" L ")}`];
    }
    case "grid":
      return [
        `M ${n(10, 20)} 35 L ${n(80, 90)} 35`,
        `M ${n(10, 20)} 65 L ${n(80, 90)} 65`,
        `M 35 ${n(10, 20)} L 35 ${n(80, 90)}`,
        `M 65 ${n(10, 20)} L 65 ${n(80, 90)}`,
      ];
    default: {
      const paths: string[] = [];
      for (let i = 0, strokes = 3 + Math.floor(rng() * 4); i < strokes; i++) {
        const k = Math.floor(rng() * 3);
        if (k === 0) paths.push(`M ${p()} C ${p()} ${p()} ${p()}`);
        else if (k === 1) paths.push(`M ${p()} L ${p()} L ${p()} L ${p()}`);
        else paths.push(`M ${p()} Q ${p()} ${p()} T ${p()}`);
      }
      return paths;
    }
  }
}

/**
 * A doodle as a PNG: random pen strokes (curves, zigzags, arcs) one time in three, else a spiral,
 * star, arrow, hatching, smiley, cross, circled mark, zigzag or grid, a little skewed, in a pen
 * 2-9 units wide.
 */
async function scribblePng(rng: Rng): Promise<Uint8Array> {
  const kind = rng() < 1 / 3 ? "strokes" : drawFrom(rng, DOODLES.slice(1));
  const width = drawBetween(rng, 2, 9).toFixed(1);
  const [sx, sy, turn] = [
    drawBetween(rng, 0.7, 1.3),
    drawBetween(rng, 0.7, 1.3),
    drawBetween(rng, -30, 30),
  ];
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">` +
    `<rect width="100" height="100" fill="black"/><g transform="translate(50 50) rotate(${
      turn.toFixed(1)
    }) scale(${sx.toFixed(2)} ${sy.toFixed(2)}) translate(-50 -50)">` +
    doodlePaths(rng, kind).map((d) =>
      `<path d="${d}" stroke="white" stroke-width="${width}" fill="none" stroke-linecap="round" ` +
      `stroke-linejoin="round"/>`
    ).join("") + `</g></svg>`;
  return new Uint8Array(await sharp(new TextEncoder().encode(svg)).png().toBuffer());
}

/**
 * Whether a 28×28 crop's ink is a narrow upright bar (an "!", a cut-off stroke of a word, an
 * arrow standing up): that is how a 1 looks, so it is not shown as "not a digit".
 *
 * @example
 * ```ts
 * import { oneLike } from "./make_non_digits.ts";
 * import { equal } from "node:assert/strict";
 * const bar = new Float32Array(784);
 * for (let y = 4; y < 24; y++) bar.fill(1, y * 28 + 12, y * 28 + 15);
 * equal(oneLike(bar), true);
 * ```
 */
export function oneLike(input: Float32Array): boolean {
  let [x0, y0, x1, y1] = [28, 28, -1, -1];
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      if (input[y * 28 + x] < 0.25) continue;
      [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
    }
  }
  return x1 < 0 || x1 - x0 + 1 < 0.4 * (y1 - y0 + 1);
}

/**
 * Makes examples of "not a digit" for training a model to refuse: letters and symbols written in
 * handwriting fonts, made-up words and pieces of them (as the number reader's segmentation cuts
 * touching letters), in strokes made thicker or thinner one time in two; letters, symbols and
 * words drawn as wobbling pen strokes from single-stroke fonts (`strokes`); pairs of digits squeezed
 * into one crop; and doodles (random strokes, spirals, stars, arrows, hatching, smileys, crosses,
 * circled marks, zigzags, grids). Each is drawn as an image and passed through the photo pipeline
 * ({@linkcode preprocessImage}) so that it looks exactly as the model will see it. Images the
 * pipeline refuses, and narrow upright bars (which read as a 1), are skipped and replaced.
 *
 * @returns `count` images (28×28 bytes, ink = 255), without labels.
 *
 * @example
 * ```ts ignore
 * import { makeNonDigits } from "./make_non_digits.ts";
 * import { mulberry32 as createRng } from "../data/prng.ts";
 * const set = await makeNonDigits(createRng(1), { count: 100, fonts: ["kalam.woff"], digits });
 * ```
 */
export async function makeNonDigits(rng: Rng, options: NonDigitOptions): Promise<DigitSet> {
  const { count, digits, letters = 0.35, words = 0.2, pairs = 0.12, strokes = 0 } = options;
  const strokeFonts = options.strokeFonts ?? TRAIN_STROKE_FONTS;
  if (letters + words + pairs + strokes > 1 + 1e-9) {
    throw new RangeError(
      `Non-digit shares add up to more than 1: letters ${letters}, words ${words}, pairs ${pairs}, ` +
        `strokes ${strokes}`,
    );
  }
  const { dir, files } = await installFonts(options.fonts);
  const images = new Uint8Array(count * 784);
  try {
    for (let n = 0; n < count;) {
      const roll = rng();
      const written = files.length > 0 && roll < letters + words;
      const png = written && roll < letters
        ? await letterPng(rng, drawFrom(rng, files))
        : written
        ? await wordPng(rng, drawFrom(rng, files))
        : roll < letters + words + pairs
        ? await pairPng(rng, digits)
        : roll < letters + words + pairs + strokes
        ? await strokePng(rng, strokeFonts)
        : await scribblePng(rng);
      const { input } = await preprocessImage(png);
      if (input === null || oneLike(input)) continue;
      for (let i = 0; i < 784; i++) images[n * 784 + i] = Math.round(input[i] * 255);
      n++;
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  return { images, labels: null, count, source: `generated:non-digits(${count})` };
}
