import { deepEqual, equal, notDeepEqual, ok, rejects } from "node:assert/strict";
import { loadTestDigitGrid } from "../src/bench/_test_digits.ts";
import { mulberry32 } from "../src/data/prng.ts";
import { makeNonDigits } from "../src/train/make_non_digits.ts";
import {
  HELD_OUT_STROKE_FONTS,
  loadStrokeFont,
  STROKE_CHARACTERS,
  STROKE_WORD_LETTERS,
  strokeText,
  TRAIN_STROKE_FONTS,
} from "../src/train/stroke_letters.ts";

Deno.test("The held-out stroke fonts are never among the training ones, and every font loads", async () => {
  deepEqual(TRAIN_STROKE_FONTS.filter((f) => HELD_OUT_STROKE_FONTS.includes(f)), []);
  for (const name of [...TRAIN_STROKE_FONTS, ...HELD_OUT_STROKE_FONTS]) {
    const font = await loadStrokeFont(name);
    const drawable = [...STROKE_CHARACTERS].filter((ch) => font.has(ch));
    ok(drawable.length >= 20, `${name} draws only ${drawable.length} of the characters`);
    for (const stroke of font.get(drawable[0])!.strokes) ok(stroke.length >= 2);
  }
  await rejects(loadStrokeFont("comic_sans"), RangeError);
});

Deno.test("The stroke letters leave out the characters written like digits", () => {
  for (const ch of "0123456789OoDQIilJjTt!|/ZzSs$bGBgqa") {
    ok(!STROKE_CHARACTERS.includes(ch), `${ch} reads as a digit`);
  }
  for (const ch of "0123456789OoIlZzSsBgqG") {
    ok(!STROKE_WORD_LETTERS.includes(ch), `${ch} reads as a digit`);
  }
});

Deno.test("strokeText() draws the same for the same seed, and only the characters it may", async () => {
  const a = await strokeText(mulberry32(7), TRAIN_STROKE_FONTS);
  const b = await strokeText(mulberry32(7), TRAIN_STROKE_FONTS);
  deepEqual(a, b);
  const rng = mulberry32(8);
  for (let i = 0; i < 60; i++) {
    const { text, font, svg } = await strokeText(rng, HELD_OUT_STROKE_FONTS);
    ok(HELD_OUT_STROKE_FONTS.includes(font));
    ok(svg.startsWith("<svg") && !svg.includes("NaN"), `Bad drawing of ${text} in ${font}`);
    const allowed = text.length === 1 ? STROKE_CHARACTERS : STROKE_WORD_LETTERS;
    for (const ch of text) ok(allowed.includes(ch), `${ch} (in "${text}") reads as a digit`);
  }
});

Deno.test("makeNonDigits() with a stroke share makes 28×28 images with ink, the same for the same seed", async () => {
  const digits = await loadTestDigitGrid();
  const options = { count: 30, fonts: [], digits, letters: 0, words: 0, pairs: 0, strokes: 1 };
  const first = await makeNonDigits(mulberry32(5), options);
  equal(first.images.length, 30 * 784);
  deepEqual((await makeNonDigits(mulberry32(5), options)).images, first.images);
  notDeepEqual((await makeNonDigits(mulberry32(6), options)).images, first.images);
  for (let i = 0; i < 30; i++) {
    ok(first.images.subarray(i * 784, (i + 1) * 784).some((v) => v > 128), `Image ${i} has no ink`);
  }
  await rejects(makeNonDigits(mulberry32(5), { ...options, pairs: 0.5 }), RangeError);
});
