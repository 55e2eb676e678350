/**
 * Synthetic photos of things that are not a number, for `deno task bench refuse --fonts …`: a
 * letter or symbol, or a short word, written in handwriting fonts the refusal training never used
 * (pass `@fontsource` WOFF files such as Gloria Hallelujah and Shadows Into Light), and doodles of
 * two to five pen strokes, dark on tinted paper, as JPEG. The project's own hold-out set of
 * non-digits: settings of the reader are judged on it, never on `../shared/photos*`.
 *
 * @module
 */
import sharp from "sharp";
import { drawBetween, type Prng } from "../data/prng.ts";
import { familyOf, NON_DIGIT_CHARACTERS } from "../train/make_non_digits.ts";
import { woffToSfnt } from "../train/woff_to_sfnt.ts";
import { HELD_OUT_STROKE_FONTS, strokeText } from "../train/stroke_letters.ts";

/** What a scene shows. */
export type NonDigitKind = "letter" | "word" | "doodle";

/** The kinds, in the order the scenes cycle through them. */
export const NON_DIGIT_KINDS: readonly NonDigitKind[] = ["letter", "word", "doodle"];

/** Short words and abbreviations written beside numbers (units, greetings), none a digit. */
const WORDS = "cat dog yes no ok hello wave hat tree max fun zebra ax why PM AM km kg mm ltr Hi Ex"
  .split(" ");

/** A tinted paper colour, as CSS `rgb()` (three draws of `rng`). */
function paperColour(rng: Prng): string {
  const [r, g, b] = [
    drawBetween(rng, 200, 250),
    drawBetween(rng, 195, 245),
    drawBetween(rng, 185, 240),
  ];
  return `rgb(${Math.round(r)},${Math.round(g)},${Math.round(b)})`;
}

const escape = (s: string) => s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");

/** Fonts written out as TrueType files for libvips' text renderer, and how to remove them. */
export interface SceneFonts {
  files: Array<{ file: string; family: string }>;
  dispose(): Promise<void>;
}

/**
 * Writes each WOFF font as a TrueType file in a temporary folder.
 *
 * @example
 * ```ts ignore
 * const fonts = await installSceneFonts(["gloria-hallelujah-latin-400-normal.woff"]);
 * await fonts.dispose();
 * ```
 */
export async function installSceneFonts(woffs: string[]): Promise<SceneFonts> {
  const dir = await Deno.makeTempDir({ prefix: "non-digit-scenes-" });
  const files: SceneFonts["files"] = [];
  for (const [i, woff] of woffs.entries()) {
    const file = `${dir}/font${i}.ttf`;
    await Deno.writeFile(file, woffToSfnt(await Deno.readFile(woff)));
    files.push({ file, family: familyOf(woff) });
  }
  return { files, dispose: () => Deno.remove(dir, { recursive: true }) };
}

/**
 * Renders one scene of `kind` (a letter or word in one of `fonts`, or a doodle) as a JPEG.
 *
 * @example
 * ```ts ignore
 * const bytes = await renderNonDigitScene("word", fonts, mulberry32(1));
 * ```
 */
export async function renderNonDigitScene(
  kind: NonDigitKind,
  fonts: SceneFonts,
  rng: Prng,
): Promise<Uint8Array> {
  const paper = paperColour(rng);
  if (kind === "doodle") {
    const p = () =>
      `${drawBetween(rng, 20, 280).toFixed(1)} ${drawBetween(rng, 20, 180).toFixed(1)}`;
    const paths: string[] = [];
    for (let i = 0, n = 2 + Math.floor(rng() * 4); i < n; i++) {
      const k = Math.floor(rng() * 3);
      paths.push(
        k === 0
          ? `M ${p()} C ${p()} ${p()} ${p()}`
          : k === 1
          ? `M ${p()} L ${p()} L ${p()}`
          : `M ${p()} Q ${p()} ${p()} T ${p()}`,
      );
    }
    const width = drawBetween(rng, 3, 9).toFixed(1);
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="300" height="200">` +
      `<rect width="300" height="200" fill="${paper}"/>` +
      paths.map((d) =>
        `<path d="${d}" stroke="#202030" stroke-width="${width}" fill="none" ` +
        `stroke-linecap="round"/>`
      ).join("") + `</svg>`;
    const jpeg = await sharp(new TextEncoder().encode(svg)).jpeg({ quality: 80 }).toBuffer();
    return new Uint8Array(jpeg);
  }
  const font = fonts.files[Math.floor(rng() * fonts.files.length)];
  const text = kind === "letter"
    ? NON_DIGIT_CHARACTERS[Math.floor(rng() * NON_DIGIT_CHARACTERS.length)]
    : WORDS[Math.floor(rng() * WORDS.length)];
  const glyph = await sharp({
    text: {
      text: `<span foreground="#202030">${escape(text)}</span>`,
      fontfile: font.file,
      font: font.family,
      dpi: Math.round(drawBetween(rng, 250, 500)),
      rgba: true,
    },
  }).png().toBuffer();
  const m = Math.round(drawBetween(rng, 20, 60));
  const jpeg = await sharp(glyph).flatten({ background: paper })
    .extend({ top: m, bottom: m, left: m, right: m, background: paper })
    .jpeg({ quality: 80 }).toBuffer();
  return new Uint8Array(jpeg);
}

/**
 * Renders one photo-like scene of a letter, symbol or made-up word drawn as pen strokes in a
 * single-stroke font the refusal training never used (`HELD_OUT_STROKE_FONTS`: EMS Allure, EMS
 * Readability and its italic), dark ink on tinted paper, sometimes blurred, as JPEG.
 *
 * @example
 * ```ts ignore
 * const bytes = await renderStrokeScene(mulberry32(1));
 * ```
 */
export async function renderStrokeScene(rng: Prng): Promise<Uint8Array> {
  const paper = paperColour(rng);
  const ink = rng() < 0.5 ? "#202030" : "#1e3296";
  const { svg } = await strokeText(rng, HELD_OUT_STROKE_FONTS, { ink, paper });
  let image = sharp(new TextEncoder().encode(svg));
  if (rng() < 0.3) image = sharp(await image.blur(0.8).png().toBuffer());
  return new Uint8Array(await image.jpeg({ quality: 80 }).toBuffer());
}
