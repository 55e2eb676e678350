import { PixelLimitError } from "./read_image_info.ts";
import type { PreprocessOptions, PreprocessResult } from "./types.ts";

/** What the pool sends a worker: one image and the pipeline's options, or a cancellation. */
export type PoolRequest =
  | { id: number; bytes: Uint8Array; options: PreprocessOptions; cancel?: undefined }
  | { id: number; cancel: true };

/** An error as it crosses the worker boundary. */
export interface PostedError {
  name: string;
  message: string;
  /** Width, height and limit of a {@linkcode PixelLimitError}. */
  pixels?: [number, number, number];
}

/** What a worker sends back: the result, or the error. */
export type PoolReply =
  | { id: number; result: PreprocessResult; error?: undefined }
  | { id: number; error: PostedError; result?: undefined };

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
