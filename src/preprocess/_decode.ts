import { headerSize, jpegOrientation } from "./_header_size.ts";
import { decodeSmallPng } from "./_png.ts";
import sharp, { type Metadata, type OutputInfo, type Sharp, type SharpOptions } from "sharp";

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

/** The smallest side accepted: below this an image cannot hold a readable digit. */
const MIN_SIDE = 8;
/** Images smaller than this (long side) are enlarged, so that thresholds have pixels to work on
 * (the photo benchmark holds its score from 32 px up; 64 px leaves a 64 px PNG unresized). */
const MIN_WORK = 64;

const RASTER_TYPES: Array<[string, (b: Uint8Array) => boolean]> = [
  ["jpeg", (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff],
  ["png", (b) => b[0] === 0x89 && text(b, 1, 3) === "PNG"],
  ["gif", (b) => text(b, 0, 4) === "GIF8"],
  ["webp", (b) => text(b, 0, 4) === "RIFF" && text(b, 8, 4) === "WEBP"],
  ["heif", (b) => text(b, 4, 4) === "ftyp"], // AVIF, HEIC
  ["tiff", (b) => text(b, 0, 4) === "II*\0" || text(b, 0, 4) === "MM\0*"],
];

function text(bytes: Uint8Array, at: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(at, at + length));
}

/** Names the raster type of `bytes` from its first bytes, or throws for SVG and non-images. */
export function sniffImageType(bytes: Uint8Array): string {
  for (const [type, matches] of RASTER_TYPES) if (bytes.length >= 12 && matches(bytes)) return type;
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
function targetLongSide(longSide: number, workSize: number): number {
  if (longSide > workSize) return workSize;
  return longSide < MIN_WORK ? MIN_WORK : longSide;
}

/**
 * Checks the header (type, pixel count, size, frames) before decoding, then decodes with EXIF
 * orientation applied, shrunk on load to `workSize`, and returns luminance with transparency
 * flattened onto the background the image implies.
 */
export async function decodeGray(
  bytes: Uint8Array,
  maxPixels: number,
  workSize: number,
  allowAnimated: boolean,
  region?: Region,
): Promise<GrayImage> {
  const type = sniffImageType(bytes);
  const claimed = headerSize(bytes, type);
  if (claimed !== null) checkSize(claimed[0], claimed[1], maxPixels);
  const options = { limitInputPixels: maxPixels, failOn: "truncated" as const, pages: 1 };
  const still = type === "jpeg" || (type === "png" && !hasPngChunk(bytes, "acTL"));
  if (claimed !== null && still && region === undefined) {
    const image = await decodeStill(bytes, type, claimed, workSize, options);
    if (image !== null) return image;
  }
  let meta: Metadata;
  try {
    meta = await sharp(bytes, options).metadata();
  } catch (error) {
    throw corrupt(type, error);
  }
  const { width = 0, height = 0 } = meta;
  checkSize(width, height, maxPixels);
  const frames = meta.pages ?? 1;
  if (frames > 1 && !allowAnimated) {
    throw new RangeError(
      `Animated ${type.toUpperCase()} with ${frames} frames: expected a still image of one digit`,
    );
  }
  const swap = (meta.orientation ?? 1) >= 5;
  const [ow, oh] = swap ? [height, width] : [width, height];
  const { left = 0, top = 0, width: w = ow, height: h = oh } = region ?? {};
  const longSide = Math.max(w, h);
  const target = targetLongSide(longSide, workSize);
  const scale = target / longSide;
  let image = sharp(bytes, { ...options, sequentialRead: true, autoOrient: true });
  if (region !== undefined) image = image.extract({ left, top, width: w, height: h });
  return await resizeToGray(image, [w, h], scale, type, [ow, oh]);
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
  type: string,
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
    throw corrupt(type, error);
  }
  const { width: outW, height: outH, channels } = raw.info;
  return {
    width: outW,
    height: outH,
    data: flattenToGray(raw.data, outW * outH, channels),
    originalWidth,
    originalHeight,
  };
}

/**
 * Decodes a JPEG or a still PNG in one call, without asking the decoder for its metadata first:
 * the header gave its size, and the EXIF orientation is read here (a PNG with an `eXIf` chunk
 * goes the long way, as does a JPEG whose segments cannot be walked: `null`). A plain 8-bit PNG
 * that needs no resizing is decoded here, without sharp, to the same pixels.
 */
async function decodeStill(
  bytes: Uint8Array,
  type: string,
  [width, height]: [number, number],
  workSize: number,
  options: SharpOptions,
): Promise<GrayImage | null> {
  const orientation = type === "jpeg"
    ? jpegOrientation(bytes)
    : hasPngChunk(bytes, "eXIf")
    ? null
    : 1;
  if (orientation === null) return null;
  const [ow, oh] = orientation >= 5 ? [height, width] : [width, height];
  const longSide = Math.max(ow, oh);
  const scale = targetLongSide(longSide, workSize) / longSide;
  const small = type === "png" && scale === 1 ? decodeSmallPng(bytes) : null;
  if (small !== null && small.width === ow && small.height === oh) {
    const { width: w, height: h, channels } = small;
    const data = flattenToGray(small.data, w * h, channels);
    return { width: w, height: h, data, originalWidth: ow, originalHeight: oh };
  }
  const image = sharp(bytes, { ...options, sequentialRead: true, autoOrient: true });
  return await resizeToGray(image, [ow, oh], scale, type, [ow, oh]);
}

/** Whether a PNG has chunk `name` before its image data (`acTL`: an animated PNG). */
function hasPngChunk(bytes: Uint8Array, name: string): boolean {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 8; at + 8 <= bytes.length;) {
    const kind = text(bytes, at + 4, 4);
    if (kind === name) return true;
    if (kind === "IDAT") return false;
    at += 12 + view.getUint32(at);
  }
  return false;
}

/** Refuses images with too many pixels or too few to hold a digit. */
function checkSize(width: number, height: number, maxPixels: number): void {
  if (width * height > maxPixels) {
    throw new RangeError(
      `Image is ${width}×${height} = ${width * height} pixels: expected at most ${maxPixels}`,
    );
  }
  if (width < MIN_SIDE || height < MIN_SIDE) {
    throw new RangeError(
      `Image is ${width}×${height} pixels: expected at least ${MIN_SIDE}×${MIN_SIDE} to hold a digit`,
    );
  }
}

function corrupt(type: string, error: unknown): Error {
  const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
  if (/pixel limit/i.test(message)) return new RangeError(`Image is too large: ${message}`);
  return new SyntaxError(
    `Cannot decode the ${type.toUpperCase()} image: the file is truncated or corrupt (${message})`,
  );
}

/**
 * Luminance of RGB(A) or grey(-alpha) pixels, with transparent pixels filled by the background: when opaque pixels
 * are a minority they are the ink, and the fill is the opposite of their tone; otherwise the fill
 * is their median tone.
 */
function flattenToGray(pixels: Uint8Array, n: number, channels: number): Uint8Array {
  const gray = new Uint8Array(n);
  const colour = channels >= 3;
  for (let i = 0, p = 0; i < n; i++, p += channels) {
    // `(y + 0.5) | 0` is Math.round(y) for y ≥ 0, without a float-to-index slow path.
    gray[i] = colour
      ? (0.299 * pixels[p] + 0.587 * pixels[p + 1] + 0.114 * pixels[p + 2] + 0.5) | 0
      : pixels[p];
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
