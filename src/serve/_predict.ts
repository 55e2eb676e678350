import { IMAGE_PIXELS, IMAGE_SIZE, NUM_CLASSES } from "../data/types.ts";
import { ApiError, badRequest, noDigit } from "./_errors.ts";
import { grayPngDataUrl } from "./_png.ts";
import type { UploadedImage } from "./_read_images.ts";
import type {
  DigitClassifier,
  Prediction,
  PreprocessFn,
  PreprocessOutcome,
  ScoredDigit,
} from "./types.ts";
import { type NumberReading, readNumber } from "../preprocess/read_number.ts";
import { calibrate, decideDigit, DEFAULT_TEMPERATURE } from "../preprocess/decide_digit.ts";
import type { PreprocessResult } from "../preprocess/types.ts";

const round = (ms: number): number => Math.round(ms * 100) / 100;

function describe(image: UploadedImage): string {
  return image.name === undefined ? "the image" : `image "${image.name}"`;
}

/** The photo pipeline's own errors carry useful messages; anything else is summarised. */
function decodeFailure(image: UploadedImage, error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const known = error instanceof TypeError || error instanceof RangeError ||
    error instanceof SyntaxError;
  const detail = known ? `: ${String(error.message).split("\n")[0].slice(0, 200)}` : "";
  return badRequest(
    `Cannot decode ${
      describe(image)
    } (${image.header.type}, ${image.header.width}×${image.header.height})${detail}`,
    "invalid_image",
  );
}

/** The `k` most likely classes of one softmax row, best first. */
export function topClasses(row: Float32Array, k: number): ScoredDigit[] {
  return Array.from(row, (probability, digit) => ({ digit, probability }))
    .sort((a, b) => b.probability - a.probability)
    .slice(0, Math.max(1, Math.min(NUM_CLASSES, k)))
    .map(({ digit, probability }) => ({ digit, probability: Math.round(probability * 1e6) / 1e6 }));
}

/**
 * Runs the photo pipeline on each image, then the model once on the whole batch. Throws a 400
 * `invalid_image` when an image cannot be decoded and a 422 `no_digit_found` when it holds none.
 */
export async function predictImages(
  images: UploadedImage[],
  classifier: DigitClassifier,
  preprocess: PreprocessFn,
  topK: number,
  decodeMs: number,
): Promise<Prediction[]> {
  const batch = new Float32Array(images.length * IMAGE_PIXELS); // [n, 28, 28, 1]
  const preprocessMs: number[] = [];
  const outcomes: PreprocessOutcome[] = [];
  for (const [i, image] of images.entries()) {
    const start = performance.now();
    let outcome: PreprocessOutcome;
    try {
      outcome = await preprocess(image.bytes);
    } catch (error) {
      throw decodeFailure(image, error);
    }
    outcomes.push(outcome);
    const { input } = outcome;
    if (input === null) {
      preprocessMs.push(performance.now() - start);
      continue; // no single digit: the number reader below may still find a number
    }
    if (input.length !== IMAGE_PIXELS) {
      throw new RangeError(`Preprocess returned ${input.length} values: expected ${IMAGE_PIXELS}`);
    }
    batch.set(input, i * IMAGE_PIXELS);
    preprocessMs.push(performance.now() - start);
  }
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
      reading = await readNumber(image.bytes, classifier, { single });
    } catch (error) {
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
    if (single.input === null && reading.number === null) {
      // The pipeline's reason reads "no digit found: <why>"; keep only the why.
      const detail = (single.reason ?? reading.reason)?.replace(/^no digit found:?\s*/, "");
      const why = detail ? `: ${detail}` : "";
      throw noDigit(`No digit found in ${describe(image)}${why}`);
    }
    const row = calibrate(
      raw,
      DEFAULT_TEMPERATURE,
    );
    const top = single.input === null ? [] : topClasses(row, topK);
    const pixels = batch.subarray(i * IMAGE_PIXELS, (i + 1) * IMAGE_PIXELS);
    const prediction: Prediction = {
      number: reading.number,
      digits: reading.digits,
      digit: reading.digits.length > 1 ? null : reading.digit ?? null,
      probability: reading.probability,
      top,
      input: await grayPngDataUrl(pixels, IMAGE_SIZE, IMAGE_SIZE),
      timings: {
        decode: round(decodeMs),
        preprocess: round(preprocessMs[i]),
        infer: round(inferMs),
      },
    };
    if (reading.reason !== undefined) prediction.reason = reading.reason;
    if (image.name !== undefined) prediction.name = image.name;
    return prediction;
  }));
}
