/**
 * The photo pipeline and the number reader for the browser: the server's own code after decoding
 * ({@linkcode preprocessGray}, {@linkcode readNumberFromGray}, {@linkcode decideDigit}), fed by a
 * canvas instead of sharp. Bundled by `deno task build:page` into `src/serve/page/pipeline.js`,
 * which the page imports; it holds no sharp, tfjs or Node module.
 *
 * A canvas resamples differently from sharp (Lanczos), so a photo's gray image, and now and then
 * its answer, can differ slightly from the server's.
 *
 * @module
 */

import type { GrayImage, Region } from "./_decode.ts";
import { type GraySource, preprocessGray } from "./preprocess_gray.ts";
import { readNumberFromGray } from "./read_number_gray.ts";
import type { NumberReading, ReadNumberOptions } from "./read_number_gray.ts";
import type { Classifier } from "../model/classifier.ts";

export { NO_DIGIT, preprocessGray } from "./preprocess_gray.ts";
export { readNumberFromGray } from "./read_number_gray.ts";
export { calibrate, decideDigit, DEFAULT_TEMPERATURE } from "./decide_digit.ts";
export type { GraySource } from "./preprocess_gray.ts";
export type { NumberReading, ReadNumberOptions } from "./read_number_gray.ts";

/**
 * Draws `region` of the image (its pixels) scaled to `width × height` and returns its RGBA bytes
 * (in a browser: a canvas's `drawImage` then `getImageData`), on white where it is transparent.
 */
export type DrawRgba = (region: Region, width: number, height: number) => Uint8ClampedArray;

/** Images smaller than this (long side) are enlarged, as the server's decoder does. */
const MIN_WORK = 64;

/**
 * A {@linkcode GraySource} for an image of `width × height` pixels that `draw` resamples: the
 * long side shrunk to the size asked for (tiny images enlarged to 64 px), luminance as the
 * server computes it (Rec. 601, rounded).
 *
 * @example
 * ```ts
 * import { raster } from "./browser.ts";
 * import { equal } from "node:assert/strict";
 * const white = raster(800, 400, (_r, w, h) => new Uint8ClampedArray(w * h * 4).fill(255));
 * const gray = await white(320);
 * equal(gray.width, 320);
 * equal(gray.height, 160);
 * equal(gray.data[0], 255);
 * ```
 */
export function raster(width: number, height: number, draw: DrawRgba): GraySource {
  return (workSize: number, region?: Region): Promise<GrayImage> => {
    const { left = 0, top = 0, width: w = width, height: h = height } = region ?? {};
    const longSide = Math.max(w, h);
    const target = longSide > workSize ? workSize : Math.max(longSide, MIN_WORK);
    const scale = target / longSide;
    const outW = Math.max(1, Math.round(w * scale));
    const outH = Math.max(1, Math.round(h * scale));
    const rgba = draw({ left, top, width: w, height: h }, outW, outH);
    const data = new Uint8Array(outW * outH);
    for (let i = 0, p = 0; i < data.length; i++, p += 4) {
      data[i] = (0.299 * rgba[p] + 0.587 * rgba[p + 1] + 0.114 * rgba[p + 2] + 0.5) | 0;
    }
    return Promise.resolve({
      width: outW,
      height: outH,
      data,
      originalWidth: width,
      originalHeight: height,
    });
  };
}

/**
 * Reads the number in an image of `width × height` pixels that `draw` resamples, with the
 * server's number reader and decision; `model` is the page's tfjs model behind the
 * {@linkcode Classifier} interface.
 *
 * @example
 * ```ts
 * import { readNumberInBrowser } from "./browser.ts";
 * import { equal } from "node:assert/strict";
 * const blank = (_r: unknown, w: number, h: number) => new Uint8ClampedArray(w * h * 4).fill(255);
 * const model = { predict: (_b: Float32Array, n: number) => Promise.resolve(new Float32Array(n * 10).fill(0.1)) };
 * const reading = await readNumberInBrowser(200, 100, blank, model);
 * equal(reading.number, null);
 * ```
 */
export async function readNumberInBrowser(
  width: number,
  height: number,
  draw: DrawRgba,
  model: Classifier,
  options: ReadNumberOptions = {},
): Promise<NumberReading> {
  const source = raster(width, height, draw);
  return await readNumberFromGray(source, model, options);
}

/**
 * The single-digit pipeline's 28×28 input for the image (what the model saw), or `null`.
 *
 * @example
 * ```ts
 * import { digitInput } from "./browser.ts";
 * import { equal } from "node:assert/strict";
 * const blank = (_r: unknown, w: number, h: number) => new Uint8ClampedArray(w * h * 4).fill(255);
 * equal(await digitInput(100, 100, blank), null);
 * ```
 */
export async function digitInput(
  width: number,
  height: number,
  draw: DrawRgba,
): Promise<Float32Array | null> {
  return (await preprocessGray(raster(width, height, draw))).input;
}
