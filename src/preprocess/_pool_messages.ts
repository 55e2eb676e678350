import type { PreprocessOptions, PreprocessResult } from "./types.ts";

/** What the pool sends a worker: one image and the pipeline's options. */
export interface PoolRequest {
  id: number;
  bytes: Uint8Array;
  options: PreprocessOptions;
}

/** What a worker sends back: the result, or the error's class name and message. */
export type PoolReply =
  | { id: number; result: PreprocessResult; error?: undefined }
  | { id: number; error: { name: string; message: string }; result?: undefined };

/** Rebuilds an error posted by a worker as the built-in class it was thrown as. */
export function reviveError(error: { name: string; message: string }): Error {
  switch (error.name) {
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
