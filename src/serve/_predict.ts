import { Buffer } from "node:buffer";
import sharp from "sharp";
import { IMAGE_PIXELS, IMAGE_SIZE, NUM_CLASSES } from "../data/types.ts";
import { IMAGE_TYPE_NAMES } from "../preprocess/mod.ts";
import { ApiError, badRequest, noDigit, tooLarge } from "./_errors.ts";
import type { UploadedImage } from "./_read_images.ts";
import type { Classifier } from "../model/classifier.ts";
import type {
  Prediction,
  PreprocessFn,
  PreprocessOutcome,
  ReadFn,
  ScoredDigit,
  StageTimings,
} from "./types.ts";
import { type NumberReading, readNumber } from "../preprocess/read_number.ts";
import { calibrate, decideDigit, DEFAULT_TEMPERATURE } from "../preprocess/decide_digit.ts";
import type { PreprocessResult } from "../preprocess/types.ts";
import type { PhotoReading } from "../preprocess/mod.ts";

const round = (ms: number): number => Math.round(ms * 100) / 100;

function describe(image: UploadedImage): string {
  return image.name === undefined ? "the image" : `image "${image.name}"`;
}

/**
 * The photo pipeline's own errors carry messages in the project's words (its decoder's text never
 * reaches them); anything else is summarised. A stopped request keeps its reason.
 */
function decodeFailure(image: UploadedImage, error: unknown, signal: AbortSignal): ApiError {
  if (signal.aborted) throw signal.reason;
  if (error instanceof ApiError) return error;
  const { type, width, height } = image.info;
  const about = `${describe(image)} (${IMAGE_TYPE_NAMES[type]}, ${width ?? "?"}×${height ?? "?"})`;
  if (error instanceof Error && error.name === "PixelLimitError") {
    return tooLarge(`Cannot decode ${about}: ${firstLine(error.message)}`, "too_many_pixels");
  }
  const known = error instanceof TypeError || error instanceof RangeError ||
    error instanceof SyntaxError;
  const detail = known ? `: ${firstLine(error.message)}` : "";
  return badRequest(`Cannot decode ${about}${detail}`, "invalid_image");
}

/** The first line of a pipeline message, without a "Cannot decode the PNG image: " of its own. */
const firstLine = (message: string): string =>
  String(message).split("\n")[0].replace(/^Cannot decode the \S+ image: /, "").slice(0, 200);

/** The `k` most likely classes of one softmax row, best first. */
export function topClasses(row: Float32Array, k: number): ScoredDigit[] {
  return Array.from(row, (probability, digit) => ({ digit, probability }))
    .sort((a, b) => b.probability - a.probability)
    .slice(0, Math.max(1, Math.min(NUM_CLASSES, k)))
    .map(({ digit, probability }) => ({ digit, probability: Math.round(probability * 1e6) / 1e6 }));
}

/** The 28×28 the model saw (0-1, light digit on black) as a `data:image/png;base64,…` URL. */
export async function inputDataUrl(pixels: Float32Array): Promise<string> {
  const grey = Buffer.from(Uint8Array.from(pixels, (v) => Math.round(v * 255)).buffer);
  const png = await sharp(grey, { raw: { width: IMAGE_SIZE, height: IMAGE_SIZE, channels: 1 } })
    .toColourspace("b-w")
    .png()
    .toBuffer();
  return `data:image/png;base64,${png.toString("base64")}`;
}

/** How {@linkcode predictImages} runs. */
export interface PredictOptions {
  /** The photo pipeline. */
  preprocess: PreprocessFn;
  /** The whole reading of one image (used instead of `preprocess` and the reader when given). */
  read?: ReadFn;
  /** Classes listed in `top`. */
  topK: number;
  /** Stops the work once aborted. */
  signal: AbortSignal;
  /** Add the 28×28 the model saw as a PNG data URL (`input`). */
  withInput: boolean;
  /** Largest image the number reader decodes, in pixels (the service's `maxPixels`). */
  maxPixels: number;
}

/** The answer for one image, from the pipeline's result, its softmax row and the reader's. */
async function answer(
  image: UploadedImage,
  single: PreprocessResult,
  raw: Float32Array,
  reading: NumberReading,
  timings: StageTimings,
  options: PredictOptions,
): Promise<Prediction> {
  if (single.input === null && reading.number === null) {
    // The pipeline's reason reads "no digit found: <why>"; keep only the why.
    const detail = (single.reason ?? reading.reason)?.replace(/^no digit found:?\s*/, "");
    const why = detail ? `: ${detail}` : "";
    throw noDigit(`No digit found in ${describe(image)}${why}`);
  }
  const row = calibrate(raw, DEFAULT_TEMPERATURE);
  // `top` ranks the classes of one digit: a number lists them per digit, a refusal has none to rank.
  const top = single.input === null || reading.digits.length > 1
    ? []
    : topClasses(row, options.topK);
  const prediction: Prediction = {
    number: reading.number,
    digits: reading.digits,
    digit: reading.digits.length > 1 ? null : reading.digit ?? null,
    probability: reading.probability,
    top,
    timings,
  };
  if (reading.reason !== undefined) prediction.reason = reading.reason;
  if (options.withInput && single.input !== null) {
    prediction.input = await inputDataUrl(single.input);
  }
  if (image.name !== undefined) prediction.name = image.name;
  return prediction;
}

/**
 * Reads each image whole with `options.read` (one decode, the reader and the model's batches on
 * its side), one after the other; the same answers and errors as the pipeline-then-reader path.
 */
async function readImages(
  images: UploadedImage[],
  classifier: Classifier,
  read: ReadFn,
  options: PredictOptions,
): Promise<Prediction[]> {
  const { signal } = options;
  const photos: Array<[PhotoReading, StageTimings]> = [];
  for (const image of images) {
    signal.throwIfAborted();
    const start = performance.now();
    let photo: PhotoReading;
    try {
      photo = await read(image.bytes, classifier, { signal });
    } catch (error) {
      throw decodeFailure(image, error, signal);
    }
    const total = performance.now() - start;
    const decode = Math.min(total, photo.decodeMs);
    photos.push([photo, {
      decode: round(decode),
      preprocess: round(Math.max(0, total - decode - photo.inferMs)),
      infer: round(photo.inferMs),
    }]);
  }
  // Every image decoded before any answer, so that a bad file wins over a blank one as before.
  return await Promise.all(photos.map(([photo, timings], i) => {
    const raw = photo.probabilities ?? new Float32Array(NUM_CLASSES);
    return answer(images[i], photo.single, raw, photo.reading, timings, options);
  }));
}

/**
 * Runs the photo pipeline on each image, then the model once on the whole batch. Throws a 400
 * `invalid_image` when an image cannot be decoded, a 413 when its decoder finds more pixels than
 * allowed, and a 422 `no_digit_found` when it holds none.
 */
export async function predictImages(
  images: UploadedImage[],
  classifier: Classifier,
  options: PredictOptions,
): Promise<Prediction[]> {
  const { preprocess, signal, maxPixels } = options;
  if (options.read !== undefined) {
    return await readImages(images, classifier, options.read, options);
  }
  const batch = new Float32Array(images.length * IMAGE_PIXELS); // [n, 28, 28, 1]
  const decodeMs: number[] = [];
  const preprocessMs: number[] = [];
  const outcomes: PreprocessOutcome[] = [];
  for (const [i, image] of images.entries()) {
    signal.throwIfAborted();
    const start = performance.now();
    let outcome: PreprocessOutcome;
    try {
      outcome = await preprocess(image.bytes, { signal });
    } catch (error) {
      throw decodeFailure(image, error, signal);
    }
    outcomes.push(outcome);
    const { input } = outcome;
    if (input === null) {
      const total = performance.now() - start;
      decodeMs.push(Math.min(total, outcome.decodeMs ?? 0));
      preprocessMs.push(total - decodeMs[i]);
      continue; // no single digit: the number reader below may still find a number
    }
    if (input.length !== IMAGE_PIXELS) {
      throw new RangeError(`Preprocess returned ${input.length} values: expected ${IMAGE_PIXELS}`);
    }
    batch.set(input, i * IMAGE_PIXELS);
    const total = performance.now() - start;
    decodeMs.push(Math.min(total, outcome.decodeMs ?? 0));
    preprocessMs.push(total - decodeMs[i]);
  }
  signal.throwIfAborted();
  const start = performance.now();
  // [n, 10]; the model runs only when the pipeline found a digit in some image.
  const probabilities = outcomes.some((o) => o.input !== null)
    ? await classifier.predict(batch, images.length)
    : new Float32Array(images.length * NUM_CLASSES);
  const inferMs = performance.now() - start;
  return await Promise.all(images.map(async (image, i) => {
    // The number reader and its decision function, as the CLI uses them (the same answer).
    const single = outcomes[i] as PreprocessResult;
    const raw = probabilities.subarray(i * NUM_CLASSES, (i + 1) * NUM_CLASSES);
    let reading: NumberReading;
    try {
      reading = await readNumber(image.bytes, classifier, { single, maxPixels, signal });
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      const decoding = error instanceof TypeError || error instanceof RangeError ||
        error instanceof SyntaxError;
      if (!decoding) throw error;
      // The reader could not decode what the pipeline read: the pipeline's answer stands.
      const d = decideDigit(raw, single.stats);
      const number = single.input === null || d.digit === null ? null : String(d.digit);
      reading = {
        number,
        digits: [],
        probability: d.probability,
        reason: d.reason,
        digit: d.digit,
      };
    }
    const timings = {
      decode: round(decodeMs[i]),
      preprocess: round(preprocessMs[i]),
      infer: round(inferMs),
    };
    return await answer(image, single, raw, reading, timings, options);
  }));
}
