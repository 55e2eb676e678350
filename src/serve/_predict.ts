import { IMAGE_PIXELS, IMAGE_SIZE, NUM_CLASSES } from "../data/types.ts";
import { ApiError, badRequest, noDigit } from "./_errors.ts";
import { grayPngDataUrl } from "./_png.ts";
import type { UploadedImage } from "./_read_images.ts";
import type { DigitClassifier, Prediction, PreprocessFn, ScoredDigit } from "./types.ts";

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
  for (const [i, image] of images.entries()) {
    const start = performance.now();
    let input: Float32Array | null;
    let reason: string | undefined;
    try {
      ({ input, reason } = await preprocess(image.bytes));
    } catch (error) {
      throw decodeFailure(image, error);
    }
    if (input === null) {
      // The pipeline's reason reads "no digit found: <why>"; keep only the why.
      const detail = reason?.replace(/^no digit found:?\s*/, "");
      const why = detail ? `: ${detail}` : "";
      throw noDigit(`No digit found in ${describe(image)}${why}`);
    }
    if (input.length !== IMAGE_PIXELS) {
      throw new RangeError(`Preprocess returned ${input.length} values: expected ${IMAGE_PIXELS}`);
    }
    batch.set(input, i * IMAGE_PIXELS);
    preprocessMs.push(performance.now() - start);
  }
  const start = performance.now();
  const probabilities = await classifier.predict(batch, images.length); // [n, 10]
  const inferMs = performance.now() - start;
  return await Promise.all(images.map(async (image, i) => {
    const row = probabilities.subarray(i * NUM_CLASSES, (i + 1) * NUM_CLASSES);
    const top = topClasses(row, topK);
    const pixels = batch.subarray(i * IMAGE_PIXELS, (i + 1) * IMAGE_PIXELS);
    const prediction: Prediction = {
      digit: top[0].digit,
      probability: top[0].probability,
      top,
      input: await grayPngDataUrl(pixels, IMAGE_SIZE, IMAGE_SIZE),
      timings: {
        decode: round(decodeMs),
        preprocess: round(preprocessMs[i]),
        infer: round(inferMs),
      },
    };
    if (image.name !== undefined) prediction.name = image.name;
    return prediction;
  }));
}
