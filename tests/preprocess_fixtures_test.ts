import { equal, ok } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import sharp from "sharp";
import { type DigitSet, loadMnistIdx } from "../src/data/mod.ts";
import { exists } from "../src/io/mod.ts";
import { preprocessImage } from "../src/preprocess/mod.ts";
import { fixtureBytes, fixtureRows } from "./_photo_fixtures.ts";
import { MNIST_TEST_IMAGES } from "./data/make_photo_fixtures.ts";

const scenes = (await fixtureRows()).filter((r) => r.kind === "scene");
/** MNIST's test digits, which the scenes were drawn from (in ../shared: only there to measure). */
const MNIST_TEST = fileURLToPath(
  new URL(`../../shared/data/mnist/${MNIST_TEST_IMAGES}`, import.meta.url),
);
const hasMnistTest = await exists(MNIST_TEST);
const mnistTest: DigitSet | null = hasMnistTest ? await loadMnistIdx(MNIST_TEST) : null;

/** Pearson correlation of two images. */
function correlation(a: Float32Array, b: Float32Array): number {
  const mean = (x: Float32Array) => x.reduce((s, v) => s + v, 0) / x.length;
  const [ma, mb] = [mean(a), mean(b)];
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - ma) * (b[i] - mb);
    da += (a[i] - ma) ** 2;
    db += (b[i] - mb) ** 2;
  }
  return num / Math.sqrt(da * db);
}

/** `image` (28×28) moved by `dx`, `dy` pixels, zeros shifted in. */
function shifted(image: Float32Array, dx: number, dy: number): Float32Array {
  const out = new Float32Array(784);
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      const [sx, sy] = [x - dx, y - dy];
      if (sx >= 0 && sx < 28 && sy >= 0 && sy < 28) out[y * 28 + x] = image[sy * 28 + sx];
    }
  }
  return out;
}

/**
 * How alike two renderings of a digit are: the best correlation over shifts of at most one pixel
 * each way. Placing by the centre of mass is only exact to within a pixel (the first test checks
 * that much), and a one-pixel offset alone can cost a round digit 0.2 of plain correlation.
 */
function likeness(a: Float32Array, b: Float32Array): number {
  let best = -1;
  for (let dy = -1; dy <= 1; dy++) {
    for (let dx = -1; dx <= 1; dx++) best = Math.max(best, correlation(a, shifted(b, dx, dy)));
  }
  return best;
}

/** The MNIST test digit a scene was drawn from, as a plain 28×28 PNG (dark on white). */
async function mnistPng(label: number, index: number): Promise<Uint8Array> {
  equal(mnistTest!.labels![index], label, `MNIST test digit ${index} is not a ${label}`);
  const pixels = mnistTest!.images.slice(index * 784, (index + 1) * 784).map((v) => 255 - v);
  const raw = { width: 28, height: 28, channels: 1 as const };
  return new Uint8Array(await sharp(pixels, { raw }).png().toBuffer());
}

Deno.test("preprocessImage() finds the digit in every fixture scene, MNIST-style", async () => {
  for (const row of scenes) {
    const result = await preprocessImage(await fixtureBytes(row.file));
    ok(result.input !== null, `${row.file}: ${result.reason}`);
    equal(result.input.length, 784);
    ok(result.input.every((v) => v >= 0 && v <= 1), `${row.file}: values outside 0-1`);
    equal(result.polarity, row.polarity, `${row.file}: polarity`);
    // MNIST: the ink fits in a 20×20 box and its centre of mass is at the centre.
    let [sum, sx, sy, x0, y0, x1, y1] = [0, 0, 0, 28, 28, -1, -1];
    result.input.forEach((v, i) => {
      const [x, y] = [i % 28, Math.floor(i / 28)];
      sum += v;
      sx += v * x;
      sy += v * y;
      if (v > 0.05) {
        [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
      }
    });
    ok(Math.abs(sx / sum - 13.5) <= 1 && Math.abs(sy / sum - 13.5) <= 1, `${row.file}: off centre`);
    ok(Math.max(x1 - x0, y1 - y0) + 1 <= 21, `${row.file}: ink wider than 20 px`);
    ok(Math.max(x1 - x0, y1 - y0) + 1 >= 18, `${row.file}: digit not scaled up to the box`);
  }
});

Deno.test({
  name: "preprocessImage() renders an upright scene like the plain MNIST test digit it came from",
  ignore: !hasMnistTest,
  fn: async () => {
    for (const row of scenes.filter((r) => r.upright)) {
      const scene = await preprocessImage(await fixtureBytes(row.file));
      const plain = await preprocessImage(await mnistPng(row.label!, row.mnistTestIndex!));
      const r = likeness(scene.input!, plain.input!);
      ok(r > 0.8, `${row.file}: correlation ${r.toFixed(3)} with the plain digit`);
    }
  },
});

Deno.test({
  name: "preprocessImage() keeps a rotated or sheared scene close to its MNIST test digit",
  ignore: !hasMnistTest,
  fn: async () => {
    for (const row of scenes.filter((r) => !r.upright)) {
      const scene = await preprocessImage(await fixtureBytes(row.file));
      const plain = await preprocessImage(await mnistPng(row.label!, row.mnistTestIndex!));
      const r = likeness(scene.input!, plain.input!);
      ok(r > 0.3, `${row.file}: correlation ${r.toFixed(3)} with the plain digit`);
    }
  },
});

Deno.test("preprocessImage() with debug returns a picture of each step", async () => {
  const { steps } = await preprocessImage(await fixtureBytes("paper_shadow_3.jpg"), {
    debug: true,
  });
  const names = steps!.map((s) => s.name);
  for (const step of ["1-gray", "3-ink", "4-threshold", "6-digit", "8-input"]) {
    ok(names.includes(step), `no ${step} in ${names.join(", ")}`);
  }
  for (const s of steps!) equal(s.data.length, s.width * s.height);
});

Deno.test("preprocessImage() looks again at full size for a small digit in a large photo", async () => {
  const { steps, input } = await preprocessImage(await fixtureBytes("small_in_large_frame_2.jpg"), {
    debug: true,
  });
  ok(input !== null);
  ok(steps!.some((s) => s.name.startsWith("crop-")), "no second look at the crop");
});
