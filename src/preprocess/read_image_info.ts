/**
 * What the first bytes of an image file say about it, read without decoding a pixel: the one
 * vocabulary of image types, and the one pixel budget, that the service and the photo pipeline
 * share.
 *
 * @module
 */

/** The raster types recognised, as media types. */
export type ImageType =
  | "image/png"
  | "image/jpeg"
  | "image/gif"
  | "image/webp"
  | "image/heif"
  | "image/tiff";

/** Short names of each type, for messages: `PNG`, `JPEG` … */
export const IMAGE_TYPE_NAMES: Readonly<Record<ImageType, string>> = Object.freeze({
  "image/png": "PNG",
  "image/jpeg": "JPEG",
  "image/gif": "GIF",
  "image/webp": "WebP",
  "image/heif": "AVIF/HEIF",
  "image/tiff": "TIFF",
});

/** What {@linkcode readImageInfo} read from an image file's header. */
export interface ImageInfo {
  /** The type the bytes are, whatever a request claimed. */
  type: ImageType;
  /**
   * Width of the canvas a decoder must allocate, in pixels (for a GIF, the screen grown to hold
   * every frame); `null` when the header does not say (a truncated file, AVIF/HEIF, TIFF).
   */
  width: number | null;
  /** Height of that canvas in pixels; `null` when the header does not say. */
  height: number | null;
  /**
   * The EXIF orientation, 1-8 (1 when the file has none); `null` when the file may carry one that
   * this reader does not walk (then the decoder reads it).
   */
  orientation: number | null;
  /** Frames (1 for a still image); `null` when the header does not say. */
  frames: number | null;
}

/** Thrown by {@linkcode checkImageSize} for an image over the pixel budget. */
export class PixelLimitError extends RangeError {
  /** Width in pixels. */
  readonly width: number;
  /** Height in pixels. */
  readonly height: number;
  /** The budget that was exceeded. */
  readonly limit: number;

  /**
   * Says which size broke which budget.
   *
   * @param width The image's width in pixels (0 when unknown).
   * @param height The image's height in pixels (0 when unknown).
   * @param limit The pixel budget it exceeds.
   */
  constructor(width: number, height: number, limit: number) {
    super(
      width * height > 0
        ? `Image is ${width}×${height} = ${width * height} pixels: expected at most ${limit}`
        : `Image is larger than its header says: expected at most ${limit} pixels`,
    );
    this.name = "PixelLimitError";
    this.width = width;
    this.height = height;
    this.limit = limit;
  }
}

/** The smallest side accepted: below this an image cannot hold a readable digit. */
export const MIN_IMAGE_SIDE = 8;

/**
 * The one pixel check of the service and the pipeline: throws a {@linkcode PixelLimitError} (a
 * `RangeError`) when `width × height` is over `maxPixels`, and a plain `RangeError` when a side is
 * under {@linkcode MIN_IMAGE_SIDE}.
 *
 * @example
 * ```ts
 * import { checkImageSize, PixelLimitError } from "./read_image_info.ts";
 * import { throws } from "node:assert/strict";
 * checkImageSize(640, 480, 1_000_000);
 * throws(() => checkImageSize(2000, 1000, 1_000_000), PixelLimitError);
 * throws(() => checkImageSize(4, 4, 1_000_000), /expected at least 8×8/);
 * ```
 */
export function checkImageSize(width: number, height: number, maxPixels: number): void {
  if (width * height > maxPixels) throw new PixelLimitError(width, height, maxPixels);
  if (width < MIN_IMAGE_SIDE || height < MIN_IMAGE_SIDE) {
    throw new RangeError(
      `Image is ${width}×${height} pixels: expected at least ${MIN_IMAGE_SIDE}×${MIN_IMAGE_SIDE} to hold a digit`,
    );
  }
}

const text = (bytes: Uint8Array, at: number, length: number): string =>
  String.fromCharCode(...bytes.subarray(at, at + length));

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Recognises PNG, JPEG, GIF, WebP, AVIF/HEIF and TIFF files by their signature and reads their
 * size, orientation and frames from the header alone, so that a file claiming too many pixels is
 * refused before any decoder sees it. Returns `null` for anything else (SVG, HTML, random bytes).
 *
 * @example
 * ```ts
 * import { readImageInfo } from "./read_image_info.ts";
 * import { deepEqual, equal } from "node:assert/strict";
 * const gif = new TextEncoder().encode("GIF89a\x20\x00\x10\x00\x00\x00\x00;");
 * deepEqual(readImageInfo(gif), {
 *   type: "image/gif", width: 32, height: 16, orientation: 1, frames: 0,
 * });
 * equal(readImageInfo(new TextEncoder().encode("<svg/>")), null);
 * ```
 */
export function readImageInfo(bytes: Uint8Array): ImageInfo | null {
  if (bytes.length < 3) return null;
  if (
    bytes.length >= 8 && bytes[0] === 0x89 && text(bytes, 1, 3) === "PNG" &&
    bytes[4] === 0x0d && bytes[5] === 0x0a && bytes[6] === 0x1a && bytes[7] === 0x0a
  ) return pngInfo(bytes);
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return jpegInfo(bytes);
  if (text(bytes, 0, 6) === "GIF87a" || text(bytes, 0, 6) === "GIF89a") return gifInfo(bytes);
  if (bytes.length >= 12 && text(bytes, 0, 4) === "RIFF" && text(bytes, 8, 4) === "WEBP") {
    return webpInfo(bytes);
  }
  if (bytes.length >= 12 && text(bytes, 4, 4) === "ftyp") {
    return { type: "image/heif", width: null, height: null, orientation: null, frames: null };
  }
  if (text(bytes, 0, 4) === "II*\0" || text(bytes, 0, 4) === "MM\0*") {
    return { type: "image/tiff", width: null, height: null, orientation: null, frames: null };
  }
  return null;
}

/** PNG: `IHDR` gives the size; `acTL` before the data makes it animated, `eXIf` may orient it. */
function pngInfo(bytes: Uint8Array): ImageInfo {
  const info: ImageInfo = {
    type: "image/png",
    width: null,
    height: null,
    orientation: 1,
    frames: 1,
  };
  const v = view(bytes);
  if (bytes.length >= 24 && text(bytes, 12, 4) === "IHDR") {
    info.width = v.getUint32(16);
    info.height = v.getUint32(20);
  }
  for (let at = 8; at + 8 <= bytes.length;) {
    const kind = text(bytes, at + 4, 4);
    if (kind === "IDAT" || kind === "IEND") break;
    if (kind === "acTL" && at + 12 <= bytes.length) info.frames = v.getUint32(at + 8);
    if (kind === "eXIf") info.orientation = null; // left to the decoder, as libpng reads it
    at += 12 + v.getUint32(at);
  }
  return info;
}

/** JPEG: the first start-of-frame gives the size; the first `Exif` APP1 segment the orientation. */
function jpegInfo(bytes: Uint8Array): ImageInfo {
  const info: ImageInfo = {
    type: "image/jpeg",
    width: null,
    height: null,
    orientation: null,
    frames: 1,
  };
  const v = view(bytes);
  let exif: number | null | undefined; // undefined: no Exif segment seen; null: one not walked
  let at = 2;
  while (at + 4 <= bytes.length && bytes[at] === 0xff) {
    const marker = bytes[at + 1];
    if (marker === 0xff) {
      at++; // a fill byte
      continue;
    }
    const length = v.getUint16(at + 2);
    // SOF0-SOF15, but DHT, JPG and DAC.
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
      if (at + 9 > bytes.length) break;
      info.height = v.getUint16(at + 5);
      info.width = v.getUint16(at + 7);
      info.orientation = exif === undefined ? 1 : exif; // no EXIF before the image: upright
      return info;
    }
    if (marker === 0xda) break;
    if (
      exif === undefined && marker === 0xe1 && at + 18 <= bytes.length &&
      v.getUint32(at + 4) === 0x45786966 // "Exif"
    ) {
      exif = tiffOrientation(v, at + 10, Math.min(bytes.length, at + 2 + length));
    }
    if (length < 2) break;
    at += 2 + length;
  }
  return info;
}

/** Orientation tag (0x0112) of IFD0 in the TIFF structure at `tiff`; 1 when absent. */
function tiffOrientation(v: DataView, tiff: number, end: number): number | null {
  if (tiff + 8 > end) return null;
  const order = v.getUint16(tiff);
  if (order !== 0x4949 && order !== 0x4d4d) return null;
  const little = order === 0x4949;
  const ifd = tiff + v.getUint32(tiff + 4, little);
  if (ifd + 2 > end) return null;
  const entries = v.getUint16(ifd, little);
  for (let i = 0; i < entries; i++) {
    const entry = ifd + 2 + 12 * i;
    if (entry + 12 > end) return null;
    if (v.getUint16(entry, little) !== 0x0112) continue;
    const value = v.getUint16(entry + 8, little);
    return value >= 1 && value <= 8 ? value : 1;
  }
  return 1;
}

/**
 * GIF: the logical screen, grown to hold every frame (a decoder allocates the larger of the two:
 * a 16×16 screen may carry a 65535×65535 frame), and the number of frames, from a walk of the
 * blocks that skips the pixel data.
 */
function gifInfo(bytes: Uint8Array): ImageInfo {
  const info: ImageInfo = {
    type: "image/gif",
    width: null,
    height: null,
    orientation: 1,
    frames: 0,
  };
  if (bytes.length < 13) return info;
  const v = view(bytes);
  info.width = v.getUint16(6, true);
  info.height = v.getUint16(8, true);
  const flags = bytes[10];
  let at = 13 + (flags & 0x80 ? 3 * (2 << (flags & 7)) : 0);
  const skipSubBlocks = (from: number): number => {
    let p = from;
    while (p < bytes.length && bytes[p] !== 0) p += 1 + bytes[p];
    return p + 1;
  };
  while (at < bytes.length) {
    const block = bytes[at];
    if (block === 0x3b) break; // trailer
    if (block === 0x21) {
      at = skipSubBlocks(at + 2); // extension: label, then sub-blocks
    } else if (block === 0x2c) {
      if (at + 10 > bytes.length) break;
      const right = v.getUint16(at + 1, true) + v.getUint16(at + 5, true);
      const bottom = v.getUint16(at + 3, true) + v.getUint16(at + 7, true);
      info.width = Math.max(info.width!, right);
      info.height = Math.max(info.height!, bottom);
      info.frames!++;
      const local = bytes[at + 9];
      at += 10 + (local & 0x80 ? 3 * (2 << (local & 7)) : 0);
      at = skipSubBlocks(at + 1); // LZW minimum code size, then the data
    } else break; // damaged: the decoder says so
  }
  return info;
}

/** WebP: the `VP8X` canvas (with its animation and EXIF flags), or the size in `VP8 `/`VP8L`. */
function webpInfo(bytes: Uint8Array): ImageInfo {
  const info: ImageInfo = {
    type: "image/webp",
    width: null,
    height: null,
    orientation: 1,
    frames: 1,
  };
  if (bytes.length < 30) return info;
  const v = view(bytes);
  const chunk = text(bytes, 12, 4);
  if (chunk === "VP8X") {
    const flags = bytes[20];
    info.width = 1 + (bytes[24] | (bytes[25] << 8) | (bytes[26] << 16));
    info.height = 1 + (bytes[27] | (bytes[28] << 8) | (bytes[29] << 16));
    if (flags & 0x08) info.orientation = null; // EXIF: left to the decoder
    if (flags & 0x02) info.frames = countWebpFrames(bytes, v);
  } else if (chunk === "VP8L") {
    const bits = v.getUint32(21, true);
    info.width = 1 + (bits & 0x3fff);
    info.height = 1 + ((bits >>> 14) & 0x3fff);
  } else if (chunk === "VP8 ") {
    info.width = v.getUint16(26, true) & 0x3fff;
    info.height = v.getUint16(28, true) & 0x3fff;
  }
  return info;
}

function countWebpFrames(bytes: Uint8Array, v: DataView): number {
  let frames = 0;
  for (let at = 12; at + 8 <= bytes.length;) {
    if (text(bytes, at, 4) === "ANMF") frames++;
    at += 8 + v.getUint32(at + 4, true) + (v.getUint32(at + 4, true) & 1);
  }
  return frames;
}
