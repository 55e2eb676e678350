/**
 * The photo pipeline: from the bytes of a photo, scan or drawing of one handwritten digit to the
 * model's MNIST-style 28×28 input, and the number reader that finds every digit of a number.
 *
 * @module
 */

export { NO_DIGIT, preprocessImage } from "./preprocess_image.ts";
export { preprocessGray } from "./preprocess_gray.ts";
export type { GraySource } from "./preprocess_gray.ts";
export type { GrayImage, Region } from "./_decode.ts";
export { DEFAULT_MAX_PIXELS } from "./_decode.ts";
export { calibrate, decideDigit, DEFAULT_TEMPERATURE } from "./decide_digit.ts";
export { readNumber } from "./read_number.ts";
export { numberParts, readNumberFromGray } from "./read_number_gray.ts";
export type { NumberPart } from "./read_number_gray.ts";
export { readPhoto } from "./read_photo.ts";
export type { PhotoReading } from "./read_photo.ts";
export type { DigitReading, NumberReading, ReadNumberOptions } from "./read_number.ts";
export type { DecideOptions, DigitDecision, ScoredClass } from "./decide_digit.ts";
export { formatPrediction, predictFiles } from "./predict_files.ts";
export type { FilePrediction, PredictFilesOptions } from "./predict_files.ts";
export { writeDebugSteps } from "./write_debug_steps.ts";
export type {
  Box,
  DebugStep,
  DigitModel,
  InkStats,
  PreprocessOptions,
  PreprocessResult,
} from "./types.ts";
export { createPreprocessPool } from "./create_preprocess_pool.ts";
export { releaseBytes } from "./release_bytes.ts";
export { createGarbageCollector, type GarbageCollector } from "./collect_garbage.ts";
export type { PreprocessPool, PreprocessPoolOptions } from "./create_preprocess_pool.ts";
export {
  checkImageSize,
  IMAGE_TYPE_NAMES,
  PixelLimitError,
  readImageInfo,
} from "./read_image_info.ts";
export type { ImageInfo, ImageType } from "./read_image_info.ts";
