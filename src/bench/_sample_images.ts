/**
 * Synthetic test images made from MNIST **test** digits (never a training digit of the default
 * model): a small scan-like PNG and phone-like JPEG photos of ink on textured paper, for the
 * service's tests and its benchmark. The digits come from `fixtures/mnist_test_digits.png`: the
 * first digit of each class in MNIST's t10k set (CC BY-SA 3.0), side by side, 0 to 9, written once
 * by running this file with the MNIST folder (`deno run -A src/bench/_sample_images.ts ../shared/data/mnist`).
 * Needs `--allow-ffi` (sharp).
 *
 * @module
 */
import { Buffer } from "node:buffer";
import sharp, { type Sharp } from "sharp";
import { IMAGE_PIXELS, IMAGE_SIZE, loadMnistIdx } from "../data/mod.ts";

/** The ten test digits, 0-9 side by side: 280×28, grey, ink = 255. */
export const MNIST_TEST_DIGITS = new URL("../../fixtures/mnist_test_digits.png", import.meta.url);

/** The t10k indices of the digits in {@linkcode MNIST_TEST_DIGITS}, 0 to 9. */
export const MNIST_TEST_INDICES = [3, 2, 1, 18, 4, 8, 11, 0, 61, 7];

let strip: Promise<Uint8Array> | null = null;

/** One MNIST test digit: 784 bytes, 0 = background, 255 = ink. */
export async function mnistDigit(digit: number): Promise<Uint8Array> {
  if (!Number.isInteger(digit) || digit < 0 || digit > 9) {
    throw new RangeError(`Cannot pick MNIST digit ${digit}: expected 0-9`);
  }
  strip ??= Deno.readFile(MNIST_TEST_DIGITS).then(async (png) =>
    new Uint8Array(await sharp(png).extractChannel(0).raw().toBuffer())
  );
  const pixels = await strip;
  const out = new Uint8Array(IMAGE_PIXELS);
  for (let y = 0; y < IMAGE_SIZE; y++) {
    const row = y * IMAGE_SIZE * 10 + digit * IMAGE_SIZE;
    out.set(pixels.subarray(row, row + IMAGE_SIZE), y * IMAGE_SIZE);
  }
  return out;
}

/** Writes {@linkcode MNIST_TEST_DIGITS} from MNIST's t10k files in `mnistDir`. */
export async function writeMnistTestDigits(mnistDir: string): Promise<void> {
  const dir = mnistDir.replace(/\/$/, "");
  const test = await loadMnistIdx(
    `${dir}/t10k-images-idx3-ubyte.gz`,
    `${dir}/t10k-labels-idx1-ubyte.gz`,
  );
  const out = new Uint8Array(IMAGE_PIXELS * 10);
  for (const [digit, index] of MNIST_TEST_INDICES.entries()) {
    if (test.labels![index] !== digit) {
      throw new RangeError(
        `MNIST test digit #${index} is a ${test.labels![index]}: expected ${digit}`,
      );
    }
    for (let y = 0; y < IMAGE_SIZE; y++) {
      const from = index * IMAGE_PIXELS + y * IMAGE_SIZE;
      out.set(
        test.images.subarray(from, from + IMAGE_SIZE),
        y * IMAGE_SIZE * 10 + digit * IMAGE_SIZE,
      );
    }
  }
  const png = await sharp(Buffer.from(out.buffer), {
    raw: { width: IMAGE_SIZE * 10, height: IMAGE_SIZE, channels: 1 },
  }).png({ compressionLevel: 9 }).toBuffer();
  await Deno.writeFile(MNIST_TEST_DIGITS, png);
}

/** Dark ink on white paper: the MNIST digit inverted into a 3-channel image of `size` pixels. */
async function paperDigit(digit: number, size: number): Promise<Sharp> {
  const ink = await mnistDigit(digit);
  const paper = ink.map((v) => 255 - v);
  return sharp(Buffer.from(paper.buffer), {
    raw: { width: IMAGE_SIZE, height: IMAGE_SIZE, channels: 1 },
  })
    .resize(size, size, { kernel: "cubic" });
}

/**
 * A small PNG of an MNIST digit, dark ink on white, like a scan or a canvas drawing.
 *
 * @example
 * ```ts
 * import { samplePng } from "./_sample_images.ts";
 * import { equal } from "node:assert/strict";
 * const png = await samplePng(7, 64);
 * equal(png[1], 0x50); // "P" of the PNG signature
 * ```
 */
export async function samplePng(digit: number, size = 64): Promise<Uint8Array<ArrayBuffer>> {
  const png = await (await paperDigit(digit, size)).png().toBuffer();
  return new Uint8Array(png);
}

/** Options for {@linkcode samplePhoto}. */
export interface SamplePhotoOptions {
  /** Width in pixels. @default {1280} */
  width?: number;
  /** Height in pixels. @default {960} */
  height?: number;
  /** JPEG quality. @default {85} */
  quality?: number;
}

/** Off-white paper with uneven light (a gradient) and grain, `[height, width, 3]`. */
function paperTexture(width: number, height: number): Uint8Array {
  const rgb = new Uint8Array(width * height * 3);
  let seed = 12345;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const grain = (seed % 21) - 10;
      const light = 225 - 35 * (x / width) - 20 * (y / height) + grain;
      const i = 3 * (y * width + x);
      rgb[i] = Math.max(0, Math.min(255, light + 6));
      rgb[i + 1] = Math.max(0, Math.min(255, light + 2));
      rgb[i + 2] = Math.max(0, Math.min(255, light - 8));
    }
  }
  return rgb;
}

/**
 * A phone-like JPEG photo: the MNIST digit written in dark ink across about half the height of a
 * sheet of textured, unevenly lit paper.
 *
 * @example
 * ```ts
 * import { samplePhoto } from "./_sample_images.ts";
 * import { equal } from "node:assert/strict";
 * const jpeg = await samplePhoto(3, { width: 320, height: 240 });
 * equal(jpeg[0], 0xff); // JPEG start-of-image marker
 * ```
 */
export async function samplePhoto(
  digit: number,
  options: SamplePhotoOptions = {},
): Promise<Uint8Array<ArrayBuffer>> {
  const { width = 1280, height = 960, quality = 85 } = options;
  const size = Math.round(Math.min(width, height) * 0.6);
  // The digit as an ink mask: dark blue where MNIST has ink, transparent elsewhere.
  const ink = await mnistDigit(digit);
  const alpha = await sharp(Buffer.from(ink.buffer), {
    raw: { width: IMAGE_SIZE, height: IMAGE_SIZE, channels: 1 },
  })
    .resize(size, size, { kernel: "cubic" }).extractChannel(0).raw().toBuffer();
  const rgba = new Uint8Array(size * size * 4);
  for (let i = 0; i < size * size; i++) rgba.set([30, 35, 70, alpha[i]], 4 * i);
  const jpeg = await sharp(Buffer.from(paperTexture(width, height).buffer), {
    raw: { width, height, channels: 3 },
  })
    .composite([{
      input: Buffer.from(rgba.buffer),
      raw: { width: size, height: size, channels: 4 },
      left: Math.round((width - size) / 2),
      top: Math.round((height - size) / 2),
    }])
    .blur(0.8)
    .jpeg({ quality })
    .toBuffer();
  return new Uint8Array(jpeg);
}

if (import.meta.main) {
  if (Deno.args.length !== 1) {
    console.error("Usage: deno run -A src/bench/_sample_images.ts MNIST_DIR");
    Deno.exit(2);
  }
  await writeMnistTestDigits(Deno.args[0]);
}
