import sharp from "sharp";
import type { DigitSet } from "../data/types.ts";
import { preprocessImage } from "../preprocess/mod.ts";
import type { Prng as Rng } from "../data/prng.ts";
import { woffToSfnt } from "./woff_to_sfnt.ts";

/** Options for {@linkcode makeNonDigits}. */
export interface NonDigitOptions {
  /** How many examples to make. */
  count: number;
  /** WOFF font files to write letters and symbols in (the `@fontsource/*` handwriting families). */
  fonts: string[];
  /** Labelled digits to build pairs from (training digits only). */
  digits: DigitSet;
  /** Share of letters and symbols; the rest are pairs of digits and random scribbles. @default {0.5} */
  letters?: number;
}

/**
 * Letters and symbols that do not read as a digit in handwriting (O, I, l, Z, S, B, g, q, b and
 * the like are left out: they are written like 0, 1, 2, 5, 8, 9 and 6).
 */
export const NON_DIGIT_CHARACTERS = "ACEFHKLMNPRUVWXYacdefhkmnprtuvwxy#%&@?!+=*$<>{}~";

const between = (rng: Rng, a: number, b: number) => a + (b - a) * rng();
const pick = <T>(rng: Rng, items: readonly T[] | string): T =>
  items[Math.floor(rng() * items.length)] as T;

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

/** One character in a handwriting font, light on black, as a PNG. */
async function letterPng(rng: Rng, { file: fontfile, family }: Font): Promise<Uint8Array> {
  const ch = pick<string>(rng, NON_DIGIT_CHARACTERS).replace("&", "&amp;").replace("<", "&lt;")
    .replace(">", "&gt;");
  const dpi = Math.round(between(rng, 150, 400));
  const png = await sharp({ text: { text: ch, fontfile, font: family, dpi } }).png().toBuffer();
  const turned = sharp(png).rotate(between(rng, -12, 12), { background: "#000" })
    .extend({ top: 8, bottom: 8, left: 8, right: 8, background: "#000" });
  return new Uint8Array(await turned.png().toBuffer());
}

/** The first and last ink columns of a 28×28 digit. */
function inkColumns(images: Uint8Array, index: number): [number, number] {
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
  const shift = Math.max(4, a1 - b0 - Math.round(between(rng, 1, 5)));
  const w = 28 + shift;
  const pixels = new Uint8Array(w * 28);
  for (const [index, dx] of [[a, 0], [b, shift]]) {
    const dy = Math.round(between(rng, -2, 2));
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

/** A doodle: three to six random pen strokes (curves, zigzags, arcs), as a PNG. */
async function scribblePng(rng: Rng): Promise<Uint8Array> {
  const p = () => `${between(rng, 10, 90).toFixed(1)} ${between(rng, 10, 90).toFixed(1)}`;
  const paths: string[] = [];
  const strokes = 3 + Math.floor(rng() * 4);
  for (let i = 0; i < strokes; i++) {
    const kind = Math.floor(rng() * 3);
    if (kind === 0) paths.push(`M ${p()} C ${p()} ${p()} ${p()}`);
    else if (kind === 1) paths.push(`M ${p()} L ${p()} L ${p()} L ${p()}`);
    else paths.push(`M ${p()} Q ${p()} ${p()} T ${p()}`);
  }
  const width = between(rng, 3, 8).toFixed(1);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">` +
    `<rect width="100" height="100" fill="black"/>` +
    paths.map((d) =>
      `<path d="${d}" stroke="white" stroke-width="${width}" fill="none" stroke-linecap="round"/>`
    ).join("") + `</svg>`;
  return new Uint8Array(await sharp(new TextEncoder().encode(svg)).png().toBuffer());
}

/**
 * Makes examples of "not a digit" for training a model to refuse: letters and symbols written in
 * handwriting fonts, pairs of digits squeezed into one crop, and random scribbles, each drawn as
 * an image and passed through the photo pipeline ({@linkcode preprocessImage}) so that they look
 * exactly as the model will see them. Images the pipeline refuses are skipped and replaced.
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
  const { count, digits, letters = 0.5 } = options;
  const { dir, files } = await installFonts(options.fonts);
  const images = new Uint8Array(count * 784);
  try {
    for (let n = 0; n < count;) {
      const roll = rng();
      const png = roll < letters && files.length > 0
        ? await letterPng(rng, pick(rng, files))
        : roll < letters + (1 - letters) / 2
        ? await pairPng(rng, digits)
        : await scribblePng(rng);
      const { input } = await preprocessImage(png);
      if (input === null) continue;
      for (let i = 0; i < 784; i++) images[n * 784 + i] = Math.round(input[i] * 255);
      n++;
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  return { images, labels: null, count, source: `generated:non-digits(${count})` };
}
