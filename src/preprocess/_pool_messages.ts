import { PixelLimitError } from "./read_image_info.ts";
import type { PreprocessOptions, PreprocessResult } from "./types.ts";
import type { PhotoReading } from "./read_photo.ts";

/**
 * What the pool sends a worker: one image and the pipeline's options (`read`: the whole
 * {@linkcode PhotoReading}, with the model on the pool's side), a cancellation, or the model's
 * answer to a worker's `predict` (`seq` numbers the image's calls).
 */
export type PoolRequest =
  | {
    id: number;
    bytes: Uint8Array;
    options: PreprocessOptions;
    read?: boolean;
    cancel?: undefined;
    seq?: undefined;
  }
  | { id: number; cancel: true; seq?: undefined }
  | {
    id: number;
    seq: number;
    probabilities?: Float32Array;
    error?: PostedError;
    cancel?: undefined;
  };

/** An error as it crosses the worker boundary. */
export interface PostedError {
  name: string;
  message: string;
  /** Width, height and limit of a {@linkcode PixelLimitError}. */
  pixels?: [number, number, number];
}

/** What a worker sends back: the result, the error, or a batch for the model. */
export type PoolReply =
  | {
    id: number;
    result: PreprocessResult;
    reading?: undefined;
    error?: undefined;
    predict?: undefined;
  }
  | {
    id: number;
    reading: PhotoReading;
    result?: undefined;
    error?: undefined;
    predict?: undefined;
  }
  | { id: number; error: PostedError; result?: undefined; reading?: undefined; predict?: undefined }
  | {
    id: number;
    predict: { seq: number; batch: Float32Array; n: number };
    result?: undefined;
    reading?: undefined;
    error?: undefined;
  };

/** An error thrown in a worker, ready to post. */
export function postError(error: unknown): PostedError {
  if (error instanceof PixelLimitError) {
    return {
      ...postError(new RangeError(error.message)),
      name: error.name,
      pixels: [error.width, error.height, error.limit],
    };
  }
  const known = error instanceof Error;
  return { name: known ? error.name : "Error", message: known ? error.message : String(error) };
}

/** Rebuilds an error posted by a worker as the class it was thrown as. */
export function reviveError(error: PostedError): Error {
  switch (error.name) {
    case "PixelLimitError": {
      const [width, height, limit] = error.pixels ?? [0, 0, 0];
      return new PixelLimitError(width, height, limit);
    }
    case "TypeError":
      return new TypeError(error.message);
    case "RangeError":
      return new RangeError(error.message);
    case "SyntaxError":
      return new SyntaxError(error.message);
    default:
      return new Error(error.message);
  }
}
