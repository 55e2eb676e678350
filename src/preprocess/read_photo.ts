import { onceSource } from "./_once_source.ts";
import { decideDigit } from "./decide_digit.ts";
import { preprocessGray } from "./preprocess_gray.ts";
import { type NumberReading, readNumberFromGray } from "./read_number_gray.ts";
import type { DigitModel, PreprocessOptions, PreprocessResult } from "./types.ts";

/** Everything the service answers for one image, from one pass over its bytes. */
export interface PhotoReading {
  /** The single-digit pipeline's result ({@linkcode preprocessGray}). */
  single: PreprocessResult;
  /** The model's softmax row for `single.input` (10 values); `null` when it is `null`. */
  probabilities: Float32Array | null;
  /** The number reader's answer ({@linkcode readNumberFromGray}). */
  reading: NumberReading;
  /** Milliseconds spent in the decoder, every decode of the image together. */
  decodeMs: number;
  /** Milliseconds spent waiting for the model. */
  inferMs: number;
}

/**
 * Reads one photo the way the service answers it: the single-digit pipeline
 * ({@linkcode preprocessGray}) and the number reader ({@linkcode readNumberFromGray}) on the same
 * decoded pixels (an image is decoded once per working size they need, and once only when both
 * sizes give the same pixels), with the single-digit input sent to the model in the reader's
 * first batch, so that a photo of one digit costs one call of `model`. Errors of the pipeline
 * throw as in {@linkcode preprocessImage}; when the reader alone cannot decode the image, the
 * pipeline's answer stands. The answers are those of `preprocessImage()`, `readNumber()` and
 * `decideDigit()` called one after the other.
 *
 * @example
 * ```ts
 * import { readPhoto } from "./read_photo.ts";
 * import sharp from "sharp";
 * import { equal, ok } from "node:assert/strict";
 * // A black bar on white paper, and a model that always says "1".
 * const png = await sharp({
 *   create: { width: 100, height: 100, channels: 3, background: "#fff" },
 * }).composite([{
 *   input: { create: { width: 8, height: 60, channels: 3, background: "#000" } },
 *   left: 46,
 *   top: 20,
 * }]).png().toBuffer();
 * const model = {
 *   predict: (_batch: Float32Array, n: number) =>
 *     Promise.resolve(Float32Array.from({ length: n * 10 }, (_, i) => (i % 10 === 1 ? 1 : 0))),
 * };
 * const { single, reading } = await readPhoto(new Uint8Array(png), model);
 * ok(single.input !== null);
 * equal(reading.number, "1");
 * ```
 */
export async function readPhoto(
  bytes: Uint8Array,
  model: DigitModel,
  options: PreprocessOptions = {},
): Promise<PhotoReading> {
  const { signal, maxPixels } = options;
  const timing = { decodeMs: 0, inferMs: 0 };
  const source = onceSource(bytes, options, timing);
  const single = await preprocessGray(source, options);
  signal?.throwIfAborted();
  const input = single.input;
  let probabilities: Float32Array | null = null;
  const timed = async (batch: Float32Array, n: number): Promise<Float32Array> => {
    const start = performance.now();
    try {
      return await model.predict(batch, n);
    } finally {
      timing.inferMs += performance.now() - start;
    }
  };
  // The single digit's row rides along with the reader's first batch; the reader asking for it
  // again (its one-digit answer) gets it without a second call.
  const shared: DigitModel = {
    async predict(batch: Float32Array, n: number): Promise<Float32Array> {
      if (input === null) return await timed(batch, n);
      if (probabilities !== null) {
        return batch === input && n === 1 ? probabilities.slice() : await timed(batch, n);
      }
      if (batch === input && n === 1) {
        probabilities = await timed(input, 1);
        return probabilities.slice();
      }
      const both = new Float32Array((n + 1) * input.length);
      both.set(input);
      both.set(batch.subarray(0, n * input.length), input.length);
      const rows = await timed(both, n + 1);
      probabilities = rows.slice(0, 10);
      return rows.slice(10);
    },
  };
  let reading: NumberReading;
  try {
    reading = await readNumberFromGray(source, shared, { single, maxPixels, signal });
  } catch (error) {
    signal?.throwIfAborted();
    const decoding = error instanceof TypeError || error instanceof RangeError ||
      error instanceof SyntaxError;
    if (!decoding) throw error;
    // The reader could not decode what the pipeline read: the pipeline's answer stands.
    const row = input === null ? new Float32Array(10) : await shared.predict(input, 1);
    const d = decideDigit(row, single.stats);
    const number = input === null || d.digit === null ? null : String(d.digit);
    reading = { number, digits: [], probability: d.probability, reason: d.reason, digit: d.digit };
  }
  if (input !== null && probabilities === null) await shared.predict(input, 1);
  return { single, probabilities, reading, ...timing };
}
