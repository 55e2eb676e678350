/**
 * Letters, symbols and short made-up words drawn as pen strokes from the Hershey single-stroke
 * engraving fonts and the EMS single-line fonts of the npm package `hersheytext`: each glyph is a
 * set of polylines (the path a pen follows), so it can be written the way a hand writes, with a
 * wobbling pen of any width, slanted, turned and squeezed. Used by {@linkcode makeNonDigits} (the
 * training fonts) and by `deno task bench refuse --strokes N` (the held-out fonts). Training and
 * bench code only: the served code never imports it.
 *
 * @module
 */
import sharp from "sharp";
import hershey from "hersheytext/hersheytext.min.json" with { type: "json" };
import { drawBetween, drawFrom, type Prng as Rng } from "../data/prng.ts";

/** The single-stroke fonts the refusal training draws from (never {@linkcode HELD_OUT_STROKE_FONTS}). */
export const TRAIN_STROKE_FONTS: readonly string[] = [
  "cursive",
  "scripts",
  "scriptc",
  "futural",
  "futuram",
  "timesr",
  "timesi",
  "timesrb",
  "timesib",
  "gothiceng",
  "gothicger",
  "gothicita",
  "ems_elfin",
  "ems_felix",
  "ems_nixish",
  "ems_nixish_italic",
  "ems_osmotron",
  "ems_tech",
];

/**
 * The single-stroke fonts kept out of training, that the project's own held-out non-digits are
 * written in (`deno task bench refuse --strokes N`): EMS Allure (a joined script) and EMS
 * Readability with its italic (a print hand), from another designer than the Hershey fonts.
 */
export const HELD_OUT_STROKE_FONTS: readonly string[] = [
  "ems_allure",
  "ems_readability",
  "ems_readability_italic",
];

/** The EMS fonts' files in the package's `svg_fonts/` folder. */
const SVG_FONT_FILES: Record<string, string> = {
  ems_allure: "EMSAllure.svg",
  ems_elfin: "EMSElfin.svg",
  ems_felix: "EMSFelix.svg",
  ems_nixish: "EMSNixish.svg",
  ems_nixish_italic: "EMSNixishItalic.svg",
  ems_osmotron: "EMSOsmotron.svg",
  ems_readability: "EMSReadability.svg",
  ems_readability_italic: "EMSReadabilityItalic.svg",
  ems_tech: "EMSTech.svg",
};

/**
 * Letters and symbols drawn alone: those that do not read as a digit when handwritten (the same
 * choice as the font-written letters: no O/o/D/Q (0), I/l/i/j/J/T/t/! (1 or 7), Z/z (2), S/s/$
 * (5), b/G (6), B (8), g/q/a (9), and no bare / or |).
 */
export const STROKE_CHARACTERS = "ACEFHKLMNPRUVWXYcdefhkmnpruvwxy#%&@?+=*<>{}~";

/**
 * Letters for made-up words, all in lower case or all in upper case (whole words hide their
 * letters' shapes less than single ones, so b and t are kept; l and the like are not).
 */
export const STROKE_WORD_LETTERS = "abcdefhkmnprtuvwxyACEFHKLMNPRUVWXY";

/** A point of a stroke. */
type Point = [number, number];

/** A glyph: its strokes (y down) and its advance. */
interface Glyph {
  strokes: Point[][];
  advance: number;
}

/** A loaded font: its glyphs by character. */
export type StrokeFont = Map<string, Glyph>;

/** Reads `M x,y L x,y x,y …` (the commands `M` and `L`, any separators) as polylines. */
function parsePath(d: string, flip: boolean): Point[][] {
  const strokes: Point[][] = [];
  const tokens = d.match(/[MLml]|-?\d*\.?\d+(?:e-?\d+)?/g) ?? [];
  let current: Point[] | null = null;
  let command = "M";
  const numbers: number[] = [];
  for (const token of tokens) {
    if (/[MLml]/.test(token)) {
      command = token.toUpperCase();
      continue;
    }
    numbers.push(Number(token));
    if (numbers.length < 2) continue;
    const point: Point = [numbers[0], flip ? -numbers[1] : numbers[1]];
    numbers.length = 0;
    if (command === "M" || current === null) {
      current = [point];
      strokes.push(current);
      command = "L";
    } else current.push(point);
  }
  return strokes.filter((s) => s.length > 1);
}

const fontCache = new Map<string, StrokeFont>();

/**
 * Loads one font of `hersheytext` by its key (a key of the Hershey JSON, such as `"scripts"`, or
 * an EMS font such as `"ems_allure"`), its glyphs as strokes with y pointing down.
 *
 * @example
 * ```ts
 * import { loadStrokeFont } from "./stroke_letters.ts";
 * const font = await loadStrokeFont("scripts");
 * console.log(font.get("A")!.strokes.length > 0); // true
 * ```
 */
export async function loadStrokeFont(name: string): Promise<StrokeFont> {
  const cached = fontCache.get(name);
  if (cached !== undefined) return cached;
  const font: StrokeFont = new Map();
  const json = (hershey as Record<string, { chars: Array<{ d: string; o: number }> }>)[name];
  if (json !== undefined) {
    json.chars.forEach((c, i) => {
      const strokes = parsePath(c.d, false);
      if (strokes.length > 0) {
        font.set(String.fromCharCode(33 + i), { strokes, advance: 2 * Number(c.o) });
      }
    });
  } else if (SVG_FONT_FILES[name] !== undefined) {
    const url = import.meta.resolve(`hersheytext/svg_fonts/${SVG_FONT_FILES[name]}`);
    const svg = await Deno.readTextFile(new URL(url));
    for (const tag of svg.match(/<glyph\b[^>]*>/g) ?? []) {
      const unicode = tag.match(/\bunicode="([^"]*)"/)?.[1];
      const d = tag.match(/\bd="([^"]*)"/)?.[1];
      const advance = Number(tag.match(/\bhoriz-adv-x="([^"]*)"/)?.[1] ?? 0);
      if (unicode === undefined || d === undefined || [...unicode].length !== 1) continue;
      const ch = unicode.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
        .replace("&quot;", '"').replace("&apos;", "'");
      const strokes = parsePath(d, true);
      if (strokes.length > 0) font.set(ch, { strokes, advance });
    }
  } else {
    throw new RangeError(`Unknown stroke font "${name}": not a key of hersheytext's fonts`);
  }
  fontCache.set(name, font);
  return font;
}

/**
 * The strokes of `text` laid out left to right, glyph after glyph, `gap` times each glyph's
 * width apart (negative: overlapping, as joined writing does).
 */
function layout(font: StrokeFont, text: string, gap: number): Point[][] {
  const out: Point[][] = [];
  let x = 0;
  for (const ch of text) {
    const glyph = font.get(ch);
    if (glyph === undefined) continue;
    let [x0, x1] = [Infinity, -Infinity];
    for (const s of glyph.strokes) {
      for (const [px] of s) [x0, x1] = [Math.min(x0, px), Math.max(x1, px)];
    }
    for (const s of glyph.strokes) out.push(s.map(([px, py]) => [px - x0 + x, py] as Point));
    x += Math.max(x1 - x0, 0.2 * glyph.advance) * (1 + gap);
  }
  return out;
}

/** The box around every point of `strokes`: `[x0, y0, x1, y1]`. */
function bounds(strokes: Point[][]): [number, number, number, number] {
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const s of strokes) {
    for (const [x, y] of s) {
      [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
    }
  }
  return [x0, y0, x1, y1];
}

/**
 * Strokes as a hand would draw them: segments cut into short pieces, the whole bent by a slow
 * wobble and each point moved a little, then slanted, squeezed and turned.
 */
function handDrawn(rng: Rng, strokes: Point[][]): Point[][] {
  const [x0, y0, x1, y1] = bounds(strokes);
  const size = Math.max(x1 - x0, y1 - y0, 1e-6);
  const [cx, cy] = [(x0 + x1) / 2, (y0 + y1) / 2];
  const slant = drawBetween(rng, -0.35, 0.35);
  const aspect = drawBetween(rng, 0.75, 1.3);
  const turn = drawBetween(rng, -0.25, 0.25);
  const [cos, sin] = [Math.cos(turn), Math.sin(turn)];
  const wobble = drawBetween(rng, 0, 0.035);
  const [fx, fy, px, py] = [
    drawBetween(rng, 2, 6),
    drawBetween(rng, 2, 6),
    rng() * 6.3,
    rng() * 6.3,
  ];
  const jitter = drawBetween(rng, 0, 0.012);
  return strokes.map((stroke) => {
    const dense: Point[] = [];
    for (let i = 0; i < stroke.length; i++) {
      const [ax, ay] = stroke[i];
      if (i > 0) {
        const [bx, by] = stroke[i - 1];
        const pieces = Math.max(1, Math.ceil(Math.hypot(ax - bx, ay - by) / (size * 0.05)));
        for (let k = 1; k < pieces; k++) {
          dense.push([bx + (ax - bx) * k / pieces, by + (ay - by) * k / pieces]);
        }
      }
      dense.push([ax, ay]);
    }
    return dense.map(([x, y]) => {
      let u = (x - cx) / size;
      let v = (y - cy) / size;
      u += wobble * Math.sin(fx * v + px) + jitter * (rng() - 0.5) * 2;
      v += wobble * Math.sin(fy * u + py) + jitter * (rng() - 0.5) * 2;
      u = (u - slant * v) * aspect;
      return [u * cos - v * sin, u * sin + v * cos] as Point;
    });
  });
}

/** What {@linkcode strokeText} draws. */
export interface StrokeDrawing {
  /** The text drawn (one character, or a made-up word). */
  text: string;
  /** The font's key. */
  font: string;
  /** An SVG of the drawing: `ink` strokes on `paper`, about 100-160 pixels tall. */
  svg: string;
}

/**
 * Draws, in one of `fonts` (keys of {@linkcode loadStrokeFont}), a random letter or symbol of
 * {@linkcode STROKE_CHARACTERS} or (one time in three) a made-up word of 2-5 letters of
 * {@linkcode STROKE_WORD_LETTERS}, as a hand would: a wobbling pen 3-12 % of the letters' height
 * wide, slanted, squeezed and turned.
 *
 * @example
 * ```ts
 * import { strokeText } from "./stroke_letters.ts";
 * import { mulberry32 } from "../data/prng.ts";
 * const { svg, text } = await strokeText(mulberry32(1), ["scripts"]);
 * console.log(svg.startsWith("<svg"), text.length > 0); // true true
 * ```
 */
export async function strokeText(
  rng: Rng,
  fonts: readonly string[],
  colours: { ink: string; paper: string } = { ink: "white", paper: "black" },
): Promise<StrokeDrawing> {
  const name = drawFrom(rng, fonts);
  const font = await loadStrokeFont(name);
  const has = (ch: string) => font.has(ch);
  const characters = [...STROKE_CHARACTERS].filter(has);
  let text = "";
  if (rng() < 1 / 3) {
    const length = 2 + Math.floor(rng() * 4);
    const lower = rng() < 0.5;
    const letters = [...STROKE_WORD_LETTERS]
      .filter((ch) => has(ch) && (ch === ch.toLowerCase()) === lower);
    text = Array.from({ length }, () => drawFrom(rng, letters)).join("");
  } else text = drawFrom(rng, characters);
  if (text === "") throw new RangeError(`Stroke font "${name}" has none of the letters to draw`);
  const strokes = handDrawn(rng, layout(font, text, drawBetween(rng, -0.08, 0.2)));
  const [x0, y0, x1, y1] = bounds(strokes);
  const height = drawBetween(rng, 100, 160);
  const scale = height / Math.max(y1 - y0, 0.3 * (x1 - x0), 1e-6);
  const pen = height * drawBetween(rng, 0.03, 0.12);
  const margin = pen + height * drawBetween(rng, 0.1, 0.4);
  const w = Math.ceil((x1 - x0) * scale + 2 * margin);
  const h = Math.ceil((y1 - y0) * scale + 2 * margin);
  const paths = strokes.map((s) =>
    `M ${
      s.map(([x, y]) =>
        `${((x - x0) * scale + margin).toFixed(1)} ${((y - y0) * scale + margin).toFixed(1)}`
      ).join(" L ")
    }`
  ).join(" ");
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">` +
    `<rect width="${w}" height="${h}" fill="${colours.paper}"/>` +
    `<path d="${paths}" stroke="${colours.ink}" stroke-width="${pen.toFixed(1)}" fill="none" ` +
    `stroke-linecap="round" stroke-linejoin="round"/></svg>`;
  return { text, font: name, svg };
}

/**
 * A stroke-drawn letter, symbol or word ({@linkcode strokeText}), light on black, as a PNG for
 * the photo pipeline.
 *
 * @example
 * ```ts
 * import { strokePng } from "./stroke_letters.ts";
 * import { mulberry32 } from "../data/prng.ts";
 * const png = await strokePng(mulberry32(1), ["cursive"]);
 * console.log(png.length > 0); // true
 * ```
 */
export async function strokePng(rng: Rng, fonts: readonly string[]): Promise<Uint8Array> {
  const { svg } = await strokeText(rng, fonts);
  return new Uint8Array(await sharp(new TextEncoder().encode(svg)).png().toBuffer());
}
