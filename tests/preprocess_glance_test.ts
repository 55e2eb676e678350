// Which sizes the number reader decodes a large photo at: writing large enough at the
// single-digit pipeline's 320 px is read there, without the 640 px working size; small writing
// and thin strokes still get the working size. The digit is MNIST's first test 7
// (fixtures/mnist_test_digits.png), never a training digit.
import { deepEqual, equal, ok } from "node:assert/strict";
import sharp from "sharp";
import { selectBackend } from "../src/backend/mod.ts";
import { mnistDigit } from "../src/bench/_sample_images.ts";
import { loadClassifier } from "../src/model/classifier.ts";
import { readNumber, readNumberFromGray } from "../src/preprocess/mod.ts";
import { decodeGray, readRasterInfo } from "../src/preprocess/_decode.ts";
import type { GraySource } from "../src/preprocess/preprocess_gray.ts";

const MODEL = Deno.env.get("PHOTO_TEST_MODEL") ?? "models/default";
const ignore = !(await Deno.stat(`${MODEL}/model.json`).then(() => true, () => false));

/**
 * A 1600 × 1200 JPEG of grey paper holding `ink` (a PNG), `side` pixels square, in its middle
 * (`copies` of it side by side).
 */
async function photo(ink: Uint8Array, side: number, copies = 1): Promise<Uint8Array> {
  const digit = await sharp(ink).resize(side, side, { kernel: "cubic" }).png().toBuffer();
  const left = 800 - (copies * side) / 2;
  const jpeg = await sharp({
    create: { width: 1600, height: 1200, channels: 3, background: "#e8e4dc" },
  }).composite(Array.from({ length: copies }, (_, i) => ({
    input: digit,
    left: Math.round(left + i * side),
    top: 600 - side / 2,
    blend: "multiply" as const,
  }))).jpeg({ quality: 90 }).toBuffer();
  return new Uint8Array(jpeg);
}

/** MNIST's first test 7 as dark ink on white, a 28 × 28 PNG. */
async function seven(): Promise<Uint8Array> {
  const light = await mnistDigit(7); // 28 × 28, ink = 255
  const dark = light.map((v) => 255 - v);
  return new Uint8Array(
    await sharp(dark, { raw: { width: 28, height: 28, channels: 1 } }).png().toBuffer(),
  );
}

/** A source that decodes `bytes` as the server does, and notes each working size asked for. */
function noting(bytes: Uint8Array): [GraySource, number[]] {
  const info = readRasterInfo(bytes);
  const asked: number[] = [];
  const source: GraySource = (workSize, region) => {
    asked.push(workSize);
    return decodeGray(bytes, info, { maxPixels: 40e6, workSize, allowAnimated: false, region });
  };
  return [source, asked];
}

async function model() {
  await selectBackend("wasm");
  return await loadClassifier(MODEL);
}

Deno.test({
  name:
    "readNumberFromGray() reads one large digit in a large photo at 320 px, never asking for 640 px",
  ignore,
  async fn() {
    const classifier = await model();
    const bytes = await photo(await seven(), 900);
    const [source, asked] = noting(bytes);
    const reading = await readNumberFromGray(source, classifier);
    equal(reading.number, "7");
    deepEqual([...new Set(asked)], [320]);
    // readNumber() decodes each size once, and gives the same answer.
    equal((await readNumber(bytes, classifier)).number, "7");
  },
});

Deno.test({
  name: "readNumberFromGray() still segments 640 px when the writing is small at 320 px",
  ignore,
  async fn() {
    const classifier = await model();
    // 150 px in 1,600: the digit's ink is about 21 px tall at 320 px, under the 40 px asked for.
    const [source, asked] = noting(await photo(await seven(), 150));
    await readNumberFromGray(source, classifier);
    ok(asked.includes(640), `sizes asked: ${asked}`);
  },
});

Deno.test({
  name: "readNumberFromGray() still segments 640 px for a number of two large digits",
  ignore,
  async fn() {
    const classifier = await model();
    const [source, asked] = noting(await photo(await seven(), 600, 2));
    await readNumberFromGray(source, classifier);
    ok(asked.includes(640), `sizes asked: ${asked}`);
  },
});

Deno.test({
  name: "readNumberFromGray() still segments 640 px when a large digit's strokes are thin",
  ignore,
  async fn() {
    const classifier = await model();
    // A 7 some 700 px tall drawn with a 5 px pen: its strokes are one pixel wide at 320 px.
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="900" height="900">` +
      `<rect width="900" height="900" fill="#fff"/>` +
      `<path d="M 200 120 L 700 120 L 380 820" fill="none" stroke="#111" stroke-width="5"/></svg>`;
    const ink = new Uint8Array(await sharp(new TextEncoder().encode(svg)).png().toBuffer());
    const [source, asked] = noting(await photo(ink, 900));
    await readNumberFromGray(source, classifier);
    ok(asked.includes(640), `sizes asked: ${asked}`);
  },
});
