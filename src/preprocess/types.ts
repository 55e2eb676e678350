/**
 * Types of the photo pipeline: options, the debug images of each step, and the outcome.
 *
 * @module
 */

/** Options for {@linkcode preprocessImage}. */
export interface PreprocessOptions {
  /** Largest image accepted, in pixels (width × height, read from the header before decoding). @default {40000000} */
  maxPixels?: number;
  /** Long side, in pixels, that the pipeline works at (huge photos are shrunk on load; 320 lets a 1280 px JPEG decode at a quarter of its size). @default {320} */
  workSize?: number;
  /** Take the first frame of an animated GIF or WebP instead of refusing it. @default {false} */
  allowAnimated?: boolean;
  /** Keep a grayscale image of each step in {@linkcode PreprocessResult.steps}. @default {false} */
  debug?: boolean;
  /** Stops the work at the next stage once aborted (the promise rejects with its reason). @default {undefined} */
  signal?: AbortSignal;
}

/** A grayscale image of one step of the pipeline (one byte per pixel, 255 = white). */
export interface DebugStep {
  /** Short name of the step, used in file names: `"1-gray"`, `"4-mask"` … */
  name: string;
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** `width × height` bytes, row-major. */
  data: Uint8Array;
}

/** A rectangle in the working image: `x`, `y` of the top-left pixel, `width`, `height`. */
export interface Box {
  /** Left column. */
  x: number;
  /** Top row. */
  y: number;
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
}

/** Shape statistics of the ink picked as the digit, for telling digits from other things. */
export interface InkStats {
  /** Share of the working image covered by thresholded ink, all components together (0-1). */
  inkFraction: number;
  /** Share of the digit's box covered by its ink (0-1). */
  fill: number;
  /** Estimated stroke width relative to the digit's long side (0-1). */
  strokeRatio: number;
  /** Components of ink outside the digit that are at least a tenth of its size. */
  clutter: number;
  /** Connected ink components merged into the digit. */
  parts: number;
  /** Mean contrast of the digit's ink against the paper (0-1). */
  contrast: number;
}

/** What the pipeline made of one image. */
export interface PreprocessResult {
  /** The model input: 784 floats, 0-1, light digit on black, MNIST-style; `null` when none. */
  input: Float32Array | null;
  /** Why `input` is `null`: `"no digit found"`, or what made the ink implausible as a digit. */
  reason?: string;
  /** Whether the image was dark ink on a light background (`"dark_on_light"`) or the reverse. */
  polarity?: "dark_on_light" | "light_on_dark";
  /** The digit's box in the working image. */
  box?: Box;
  /** Size of the working image the box refers to (a full-resolution crop around a small digit). */
  workSize?: { width: number; height: number };
  /** Shape statistics of the ink, when some was found. */
  stats?: InkStats;
  /** One image per step, when `debug` was asked for. */
  steps?: DebugStep[];
  /** Milliseconds spent in the decoder (the rest of the pipeline's time is its analysis). */
  decodeMs?: number;
}

/**
 * What the number reader needs of a model: the `Classifier` of `src/model`, by its shape, so that
 * the pipeline's Web Workers (which run no model) load no tfjs types.
 */
export interface DigitModel {
  /** `n × 10` softmax values for `n` 28×28 inputs (`n × 784` floats, 0-1, light on black). */
  predict(batch: Float32Array, n: number): Promise<Float32Array>;
}
