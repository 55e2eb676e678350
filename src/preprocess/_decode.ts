import { decodeSmallPng } from "./_png.ts";
import { resizeArea } from "./_filters.ts";
import { releaseBytes } from "./release_bytes.ts";
import {
  checkImageSize,
  IMAGE_TYPE_NAMES,
  type ImageInfo,
  PixelLimitError,
  readImageInfo,
} from "./read_image_info.ts";
import sharp, { type Metadata, type OutputInfo, type Sharp, type SharpOptions } from "sharp";

// libvips' operation cache is process-wide and sharp turns it on (50 MB) each time an isolate
// loads it: every image here is new, so a cache only holds memory. One libvips thread per image:
// images are decoded side by side on the pool's workers, not split across threads each.
sharp.cache(false);
sharp.concurrency(1);

/**
 * The largest image, in pixels (width × height), that the photo pipeline and the service accept
 * when no `maxPixels` is given.
 */
export const DEFAULT_MAX_PIXELS = 40_000_000;

/** A decoded image, one luminance byte per pixel, after EXIF orientation and flattening. */
export interface GrayImage {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** `width × height` bytes, row-major, 0 = black. */
  data: Uint8Array;
  /** Width of the original image after EXIF orientation, in pixels. */
  originalWidth: number;
  /** Height of the original image after EXIF orientation, in pixels. */
  originalHeight: number;
}

/** A rectangle of the oriented original image, in its pixels. */
export interface Region {
  /** Left column. */
  left: number;
  /** Top row. */
  top: number;
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
}

/** How {@linkcode decodeGray} decodes. */
export interface DecodeOptions {
  /** Largest image accepted, in pixels. */
  maxPixels: number;
  /** Long side of the working image, in pixels. */
  workSize: number;
  /** Take the first frame of an animated image instead of refusing it. */
  allowAnimated: boolean;
  /** Decode only this rectangle of the oriented original, at full resolution. */
  region?: Region;
  /** Stops before the next decoder call once aborted (throwing its reason). */
  signal?: AbortSignal;
}

/** Images smaller than this (long side) are enlarged, so that thresholds have pixels to work on
 * (the photo benchmark holds its score from 32 px up; 64 px leaves a 64 px PNG unresized). */
const MIN_WORK = 64;

/**
 * Working images smaller than this (long side) are not decoded on their own: they are the image
 * decoded at this size (the number reader's), shrunk by area averaging, so that a service reading
 * both sizes of one photo decodes it once, and every caller gets the same pixels for a size.
 */
export const DECODE_SIZE = 640;

/**
 * `gray` (an image decoded whole at a larger working size) at working size `workSize`: the size
 * sharp would have shrunk the original to, by area averaging of `gray`'s pixels. An image that
 * is no larger at `workSize` comes back as it is.
 */
export function shrinkGray(gray: GrayImage, workSize: number): GrayImage {
  const { originalWidth: ow, originalHeight: oh } = gray;
  const longSide = Math.max(ow, oh);
  const scale = targetLongSide(longSide, workSize) / longSide;
  const width = Math.max(1, Math.round(ow * scale));
  const height = Math.max(1, Math.round(oh * scale));
  if (width === gray.width && height === gray.height) return gray;
  const data = new Uint8Array(width * height);
  if (2 * width === gray.width && 2 * height === gray.height) {
    // Halving: each mean is of four whole numbers, so Math.round((a + b + c + d) / 4), the value
    // area averaging gives, is (a + b + c + d + 2) >> 2.
    const src = gray.data;
    const sw = gray.width;
    for (let y = 0, o = 0; y < height; y++) {
      for (let x = 0, i = 2 * y * sw; x < width; x++, o++, i += 2) {
        data[o] = (src[i] + src[i + 1] + src[i + sw] + src[i + sw + 1] + 2) >> 2;
      }
    }
    return { width, height, data, originalWidth: ow, originalHeight: oh };
  }
  const area = resizeArea(gray.data, gray.width, gray.height, width, height);
  // `(v + 0.5) | 0` is Math.round(v) for v ≥ 0.
  for (let i = 0; i < data.length; i++) data[i] = (area[i] + 0.5) | 0;
  return { width, height, data, originalWidth: ow, originalHeight: oh };
}

/**
 * The header of `bytes` ({@linkcode readImageInfo}), or a `TypeError` that says what they are
 * instead: SVG and XML (which can reference other files) or not an image at all.
 */
export function readRasterInfo(bytes: Uint8Array): ImageInfo {
  const info = readImageInfo(bytes);
  if (info !== null) return info;
  const start = new TextDecoder().decode(bytes.subarray(0, 512)).replace(/^\uFEFF/, "").trimStart();
  if (/^<(\?xml|svg|!DOCTYPE svg|!--)/i.test(start) || /<svg[\s>]/i.test(start)) {
    throw new TypeError(
      "Cannot read SVG or XML images: they can reference other files; send a PNG, JPEG, WebP or GIF",
    );
  }
  const head = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, "0")).join(" ");
  throw new TypeError(
    `Not an image: expected PNG, JPEG, WebP, GIF, AVIF/HEIF or TIFF, found ${bytes.length} bytes starting ${
      head || "(empty)"
    }`,
  );
}

/** Pixels the working image should have on its long side. */
export function targetLongSide(longSide: number, workSize: number): number {
  if (longSide > workSize) return workSize;
  return longSide < MIN_WORK ? MIN_WORK : longSide;
}

/**
 * Checks the header (pixel count, size, frames) before decoding, then decodes with EXIF
 * orientation applied, shrunk on load to `workSize`, and returns luminance with transparency
 * flattened onto the background the image implies. Every decoder call is bounded by `maxPixels`.
 * A whole image at a working size under {@linkcode DECODE_SIZE} is decoded at that size and
 * shrunk ({@linkcode shrinkGray}).
 */
export async function decodeGray(
  bytes: Uint8Array,
  info: ImageInfo,
  options: DecodeOptions,
): Promise<GrayImage> {
  const { maxPixels, workSize, allowAnimated, region, signal } = options;
  if (region === undefined && workSize < DECODE_SIZE) {
    const whole = await decodeGray(bytes, info, { ...options, workSize: DECODE_SIZE });
    return shrinkGray(whole, workSize);
  }
  const known = info.width !== null && info.height !== null;
  if (known) checkImageSize(info.width!, info.height!, maxPixels);
  if (info.frames !== null && info.frames > 1 && !allowAnimated) throw animated(info, info.frames);
  signal?.throwIfAborted();
  const sharpOptions = { limitInputPixels: maxPixels, failOn: "truncated" as const, pages: 1 };
  const still = info.type === "image/jpeg" || (info.type === "image/png" && info.frames === 1);
  if (known && still && info.orientation !== null && region === undefined) {
    return await decodeStill(bytes, info, workSize, sharpOptions);
  }
  let meta: Metadata;
  try {
    meta = await sharp(bytes, sharpOptions).metadata();
  } catch (error) {
    throw corrupt(info, maxPixels, error);
  }
  const { width = 0, height = 0 } = meta;
  checkImageSize(width, height, maxPixels);
  const frames = meta.pages ?? 1;
  if (frames > 1 && !allowAnimated) throw animated(info, frames);
  signal?.throwIfAborted();
  const swap = (meta.orientation ?? 1) >= 5;
  const [ow, oh] = swap ? [height, width] : [width, height];
  const { left = 0, top = 0, width: w = ow, height: h = oh } = region ?? {};
  const longSide = Math.max(w, h);
  const target = targetLongSide(longSide, workSize);
  const scale = target / longSide;
  let image = sharp(bytes, { ...sharpOptions, sequentialRead: true, autoOrient: true });
  if (region !== undefined) image = image.extract({ left, top, width: w, height: h });
  return await resizeToGray(image, [w, h], scale, info, maxPixels, [ow, oh]);
}

/**
 * Runs a sharp pipeline to the end: resizes its `[width, height]` by `scale` (cubic up, Lanczos
 * down), and returns luminance with transparency flattened; the original's oriented size is kept
 * for the caller. A decoder failure becomes the `SyntaxError` of {@linkcode corrupt}.
 */
async function resizeToGray(
  image: Sharp,
  [width, height]: [number, number],
  scale: number,
  info: ImageInfo,
  maxPixels: number,
  [originalWidth, originalHeight]: [number, number],
): Promise<GrayImage> {
  let raw: { data: Uint8Array; info: OutputInfo };
  try {
    raw = await image
      .resize({
        width: Math.max(1, Math.round(width * scale)),
        height: Math.max(1, Math.round(height * scale)),
        fit: "fill",
        kernel: scale > 1 ? "cubic" : "lanczos3",
      })
      .toColourspace("srgb")
      .raw({ depth: "uchar" }) // RGB, or RGBA when the image has transparency
      .toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw corrupt(info, maxPixels, error);
  }
  const { width: outW, height: outH, channels } = raw.info;
  const data = flattenToGray(raw.data, outW * outH, channels);
  releaseBytes(raw.data); // up to 4 bytes a pixel, copied into `data`: freed now, not at a full GC
  return { width: outW, height: outH, data, originalWidth, originalHeight };
}

/**
 * Decodes a JPEG or a still PNG in one call, without asking the decoder for its metadata first:
 * the header gave its size and orientation. A plain 8-bit PNG that needs no resizing is decoded
 * here, without sharp, to the same pixels.
 */
async function decodeStill(
  bytes: Uint8Array,
  info: ImageInfo,
  workSize: number,
  options: SharpOptions,
): Promise<GrayImage> {
  const [width, height] = [info.width!, info.height!];
  const [ow, oh] = info.orientation! >= 5 ? [height, width] : [width, height];
  const longSide = Math.max(ow, oh);
  const scale = targetLongSide(longSide, workSize) / longSide;
  const small = info.type === "image/png" && scale === 1 ? decodeSmallPng(bytes) : null;
  if (small !== null && small.width === ow && small.height === oh) {
    const { width: w, height: h, channels } = small;
    const data = flattenToGray(small.data, w * h, channels);
    return { width: w, height: h, data, originalWidth: ow, originalHeight: oh };
  }
  const image = sharp(bytes, { ...options, sequentialRead: true, autoOrient: true });
  return await resizeToGray(image, [ow, oh], scale, info, options.limitInputPixels as number, [
    ow,
    oh,
  ]);
}

function animated(info: ImageInfo, frames: number): RangeError {
  return new RangeError(
    `Animated ${
      IMAGE_TYPE_NAMES[info.type]
    } with ${frames} frames: expected a still image of one digit`,
  );
}

/**
 * A decoder failure in the project's words: the decoder's own text (`VipsJpeg: premature end of
 * JPEG image` …) stays out of messages that reach clients.
 */
function corrupt(info: ImageInfo, maxPixels: number, error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  if (/pixel limit/i.test(message)) {
    return new PixelLimitError(info.width ?? 0, info.height ?? 0, maxPixels);
  }
  return new SyntaxError(
    `Cannot decode the ${IMAGE_TYPE_NAMES[info.type]} image: the file is truncated or corrupt`,
  );
}

/** `weight × v` for every byte `v`: the terms of the luminance of {@linkcode flattenToGray}. */
const products = (weight: number): Float64Array =>
  Float64Array.from({ length: 256 }, (_, v) => weight * v);
const RED = products(0.299);
const GREEN = products(0.587);
const BLUE = products(0.114);

/**
 * Luminance of RGB(A) or grey(-alpha) pixels, with transparent pixels filled by the background: when opaque pixels
 * are a minority they are the ink, and the fill is the opposite of their tone; otherwise the fill
 * is their median tone.
 */
function flattenToGray(bytes: Uint8Array, n: number, channels: number): Uint8Array {
  const gray = new Uint8Array(n);
  // A plain view: sharp's pixels come as a Node Buffer, whose element reads cost V8 more.
  const pixels = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
  if (channels >= 3) {
    for (let i = 0, p = 0; i < n; i++, p += channels) {
      // The products 0.299 × r, 0.587 × g and 0.114 × b from tables, added in the same order: the
      // same doubles. `(y + 0.5) | 0` is Math.round(y) for y ≥ 0.
      gray[i] = (RED[pixels[p]] + GREEN[pixels[p + 1]] + BLUE[pixels[p + 2]] + 0.5) | 0;
    }
  } else {
    for (let i = 0, p = 0; i < n; i++, p += channels) gray[i] = pixels[p];
  }
  if (channels !== 2 && channels !== 4) return gray; // no transparency
  const alpha = new Uint8Array(n);
  const opaqueHist = new Uint32Array(256);
  let opaque = 0;
  for (let i = 0, p = channels - 1; i < n; i++, p += channels) {
    alpha[i] = pixels[p];
    if (alpha[i] >= 128) {
      opaque++;
      opaqueHist[gray[i]]++;
    }
  }
  if (opaque === n) return gray;
  let fill: number;
  const median = percentile(opaqueHist, opaque, 0.5);
  if (opaque * 2 < n) fill = median < 128 ? 255 : 0;
  else fill = median;
  for (let i = 0; i < n; i++) {
    const a = alpha[i] / 255;
    gray[i] = Math.round(gray[i] * a + fill * (1 - a));
  }
  return gray;
}

/** The value below which `share` of the `count` values in `hist` lie. */
export function percentile(hist: Uint32Array, count: number, share: number): number {
  let seen = 0;
  for (let v = 0; v < hist.length; v++) {
    seen += hist[v];
    if (seen > share * count) return v;
  }
  return hist.length - 1;
}
