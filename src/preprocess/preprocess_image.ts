import { decodeGray, DEFAULT_MAX_PIXELS, readRasterInfo } from "./_decode.ts";
import { preprocessGray } from "./preprocess_gray.ts";
import type { PreprocessOptions, PreprocessResult } from "./types.ts";

export { NO_DIGIT } from "./preprocess_gray.ts";

/**
 * Turns the bytes of a photo, scan or drawing of one handwritten digit into the model's input:
 * 784 floats in 0-1, a light digit on black, fitted into 20×20 and centred by its centre of mass
 * in 28×28, as in MNIST.
 *
 * Refused before decoding, with a `TypeError` or `RangeError`: bytes that are not a raster image,
 * SVG, more than `maxPixels` pixels (a `PixelLimitError`, checked on the header and again by the
 * decoder), sides under 8 px, animated images (unless `allowAnimated`). Once `signal` is aborted
 * the pipeline stops at its next stage and rejects with the signal's reason.
 * A truncated or corrupt file throws a `SyntaxError`. An image without a plausible digit (a blank
 * page, a texture) resolves with `input: null` and a `reason` that starts with "no digit found".
 *
 * @example
 * ```ts
 * import { preprocessImage } from "./preprocess_image.ts";
 * import sharp from "sharp";
 * import { equal, ok } from "node:assert/strict";
 * // A black bar on white paper: a "1".
 * const png = await sharp({
 *   create: { width: 100, height: 100, channels: 3, background: "#fff" },
 * }).composite([{
 *   input: { create: { width: 8, height: 60, channels: 3, background: "#000" } },
 *   left: 46,
 *   top: 20,
 * }]).png().toBuffer();
 * const { input, polarity } = await preprocessImage(new Uint8Array(png));
 * equal(polarity, "dark_on_light");
 * ok(input !== null && input.length === 784 && input[14 * 28 + 14] > 0.9);
 * ```
 */
export async function preprocessImage(
  bytes: Uint8Array,
  options: PreprocessOptions = {},
): Promise<PreprocessResult> {
  const { maxPixels = DEFAULT_MAX_PIXELS, allowAnimated = false, signal } = options;
  const info = readRasterInfo(bytes);
  return await preprocessGray(
    (workSize, region) =>
      decodeGray(bytes, info, { maxPixels, workSize, allowAnimated, region, signal }),
    options,
  );
}
