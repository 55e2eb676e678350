/**
 * The small interfaces the edge service depends on, so that the HTTP layer can be built and tested
 * with whichever classifier and photo pipeline it is given.
 *
 * @module
 */

import type { Classifier } from "../model/classifier.ts";
import { DEFAULT_MAX_PIXELS, type PhotoReading } from "../preprocess/mod.ts";

/** The service's name for the one classifier interface of `src/model`. */

/** What the photo pipeline made of one image. */
export interface PreprocessOutcome {
  /** The 28×28 the model will see (784 floats, 0-1, light digit on black), or `null` if none. */
  input: Float32Array | null;
  /** Why no digit was found, when `input` is `null`. */
  reason?: string;
  /** Milliseconds the decoder took, when the pipeline says. */
  decodeMs?: number;
}

/**
 * Turns the bytes of one image file into the model's 28×28 input; throws on undecodable bytes.
 * Once `signal` is aborted the work should stop (the service answers without waiting for it).
 */
export type PreprocessFn = (
  bytes: Uint8Array,
  options?: { signal?: AbortSignal },
) => Promise<PreprocessOutcome>;

/**
 * Reads one image whole, as `readPhoto()` of `src/preprocess` does: the pipeline, the number reader, and the
 * model (`classifier`) for every crop of the image; throws on undecodable bytes. Once `signal` is
 * aborted the work should stop.
 */
export type ReadFn = (
  bytes: Uint8Array,
  classifier: Classifier,
  options?: { signal?: AbortSignal },
) => Promise<PhotoReading>;

/** Limits applied to every `POST /predict`. */
export interface ServeLimits {
  /** Largest request body in bytes (multipart bodies included). @default {6291456} (6 MiB) */
  maxBodyBytes: number;
  /** Largest image in pixels (width × height, read from the file header). @default {40000000} */
  maxPixels: number;
  /** Most pixels in all the images of one request together. @default {64000000} */
  maxRequestPixels: number;
  /** Most files in one multipart request. @default {16} */
  maxFiles: number;
  /** Time limit for one request in milliseconds, body included. @default {10000} */
  timeoutMs: number;
  /** Requests that may wait for the photo pipeline; more are refused with a 503. @default {32} */
  maxQueued: number;
  /** Image types accepted, as sniffed from the bytes. @default {["image/png", "image/jpeg", "image/webp", "image/gif"]} */
  allowedTypes: string[];
}

/** The limits used when none are given. */
export const DEFAULT_LIMITS: Readonly<ServeLimits> = Object.freeze({
  maxBodyBytes: 6 * 1024 * 1024,
  maxPixels: DEFAULT_MAX_PIXELS,
  maxRequestPixels: 64_000_000,
  maxFiles: 16,
  timeoutMs: 10_000,
  maxQueued: 32,
  allowedTypes: ["image/png", "image/jpeg", "image/webp", "image/gif"],
});

/** One class and its probability. */
export interface ScoredDigit {
  /** The digit, 0-9. */
  digit: number;
  /** Its probability, 0-1. */
  probability: number;
}

/** Milliseconds spent on each stage of a request. */
export interface StageTimings {
  /** Decoding the image's pixels. */
  decode: number;
  /** The rest of the photo pipeline (finding the digit, scaling to 28×28). */
  preprocess: number;
  /** The model, for the whole batch of the request. */
  infer: number;
}

/** One digit of a number, with its box in the image's pixels. */
export interface NumberDigit extends ScoredDigit {
  /** Where it is: left, top, width and height in pixels of the image (after EXIF orientation). */
  box: { x: number; y: number; width: number; height: number };
  /** Its three most likely classes. */
  top: ScoredDigit[];
}

/** The answer for one image. */
export interface Prediction {
  /** The number read (leading zeros kept), or `null` when refused (see `reason`). */
  number: string | null;
  /** The digits of the number, left to right. */
  digits: NumberDigit[];
  /** For one digit: the digit; `null` for a number or a refusal. */
  digit: number | null;
  /** Probability of the answer (the product of the digits' for a number). */
  probability: number;
  /** Why `number` is `null`. */
  reason?: string;
  /** The most likely classes, best first. */
  top: ScoredDigit[];
  /** The 28×28 the model saw, as a `data:image/png;base64,…` URL, when asked (`?input=1`). */
  input?: string;
  /** The file name, for multipart uploads. */
  name?: string;
  /** Time spent per stage, in milliseconds. */
  timings: StageTimings;
}

/** The JSON body of every error response. */
export interface ErrorBody {
  /** A stable machine-readable code and a sentence for people. */
  error: { code: string; message: string };
}
