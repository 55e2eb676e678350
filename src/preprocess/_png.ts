import { crc32, inflateSync } from "node:zlib";

/** Pixels decoded from a PNG (grey stays grey: its luminance is the same as sharp's sRGB's). */
export interface RawPixels {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** 1 (grey), 2 (grey-alpha), 3 (RGB) or 4 (RGBA) bytes per pixel, row-major. */
  channels: number;
  /** `width × height × channels` bytes. */
  data: Uint8Array;
}

/**
 * Chunks that do not change the pixels sharp decodes. A PNG with any other chunk (`eXIf`,
 * animation, …) or a colour profile that sharp applies is left to sharp.
 */
const NEUTRAL = new Set([
  "IHDR",
  "iCCP",
  "PLTE",
  "tRNS",
  "IDAT",
  "IEND",
  "sRGB",
  "pHYs",
  "tEXt",
  "zTXt",
  "iTXt",
  "tIME",
  "bKGD",
  "gAMA",
  "cHRM",
  "iDOT",
]);

/** The eight bytes every PNG starts with. */
const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The most an `iCCP` colour profile may inflate to here; a larger one is left to sharp. */
const MAX_PROFILE_BYTES = 1 << 20;

/**
 * Decodes the common small PNG in JavaScript, the pixels byte for byte as sharp gives them
 * (sharp's per-call overhead is most of the work for an image of a few thousand pixels): 8 bits
 * per sample, not interlaced, grey, RGB, palette, grey-alpha or RGBA. Returns `null` for any other
 * PNG and for one that cannot be read (a bad signature or CRC, no `IEND`, a short stream), which the
 * caller then hands to sharp (and its errors).
 *
 * Memory is bounded by the header: the image data is inflated with an output limit of exactly the
 * rows that `IHDR` promises, and a stream that inflates past them (a zlib bomb behind a small
 * header) is refused with a `SyntaxError` rather than decoded.
 */
export function decodeSmallPng(bytes: Uint8Array): RawPixels | null {
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let width = 0, height = 0, type = -1;
  let palette: Uint8Array | null = null;
  let transparency: Uint8Array | null = null;
  const parts: Uint8Array[] = [];
  let at = 8;
  for (;;) {
    if (at + 8 > bytes.length) return null;
    const length = view.getUint32(at);
    const name = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    const body = bytes.subarray(at + 8, at + 8 + length);
    if (body.length !== length || !NEUTRAL.has(name) || at + 12 + length > bytes.length) {
      return null;
    }
    if (crc32(bytes.subarray(at + 4, at + 8 + length)) !== view.getUint32(at + 8 + length)) {
      return null; // a damaged chunk: sharp says so in its own error
    }
    if (name === "IHDR") {
      if (length !== 13 || body[8] !== 8 || body[10] !== 0 || body[11] !== 0 || body[12] !== 0) {
        return null; // not 8-bit, or an unknown compression, filter or interlace method
      }
      width = view.getUint32(at + 8);
      height = view.getUint32(at + 12);
      type = body[9];
    } else if (name === "PLTE") palette = body;
    else if (name === "tRNS") transparency = body;
    else if (name === "IDAT") parts.push(body);
    else if (name === "iCCP" && !ignoredProfile(body, type)) return null;
    else if (name === "IEND") break;
    at += 12 + length;
  }
  const samples = ({ 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as Record<number, number>)[type];
  if (samples === undefined || width === 0 || height === 0 || parts.length === 0) return null;
  if (transparency !== null && type !== 3) return null; // a transparent colour key: rare, sharp's
  if (type === 3 && palette === null) return null;
  const stride = width * samples;
  const promised = height * (stride + 1);
  let packed: Uint8Array;
  try {
    packed = new Uint8Array(inflateSync(concat(parts), { maxOutputLength: promised }));
  } catch (error) {
    if ((error as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") {
      throw new SyntaxError(
        `Cannot decode the PNG image: its compressed pixel data inflates to more than the ${promised} bytes its ${width}×${height} header promises`,
      );
    }
    return null;
  }
  if (packed.length < promised) return null;
  const pixels = unfilter(packed, width, height, samples);
  if (pixels === null) return null;
  if (type !== 3) return { width, height, channels: samples, data: pixels };
  return expandPalette(pixels, width, height, palette!, transparency);
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Undoes the per-row filters (PNG's five), or `null` for an unknown filter type. */
function unfilter(
  packed: Uint8Array,
  width: number,
  height: number,
  bpp: number,
): Uint8Array | null {
  const stride = width * bpp;
  const out = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = packed[y * (stride + 1)];
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    const up = row - stride; // the row above, when y > 0
    if (filter > 4) return null;
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? out[row + i - bpp] : 0;
      const b = y > 0 ? out[up + i] : 0;
      let v = packed[src + i];
      if (filter === 1) v += a;
      else if (filter === 2) v += b;
      else if (filter === 3) v += (a + b) >> 1;
      else if (filter === 4) {
        const c = y > 0 && i >= bpp ? out[up + i - bpp] : 0;
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      out[row + i] = v; // the byte store wraps modulo 256, as the filters want
    }
  }
  return out;
}

/** Palette indices to RGB, or RGBA when the palette has transparency; `null` past its end. */
function expandPalette(
  indices: Uint8Array,
  width: number,
  height: number,
  palette: Uint8Array,
  transparency: Uint8Array | null,
): RawPixels | null {
  const channels = transparency !== null ? 4 : 3;
  const entries = Math.floor(palette.length / 3);
  const out = new Uint8Array(indices.length * channels);
  for (let i = 0, o = 0; i < indices.length; i++, o += channels) {
    const k = indices[i];
    if (k >= entries) return null;
    out[o] = palette[3 * k];
    out[o + 1] = palette[3 * k + 1];
    out[o + 2] = palette[3 * k + 2];
    if (channels === 4) out[o + 3] = k < transparency!.length ? transparency![k] : 255;
  }
  return { width, height, channels, data: out };
}

/**
 * Whether sharp ignores this `iCCP` colour profile: one for colour data on a grey image (sharp
 * drops a profile whose colour space does not match the image's bands).
 */
function ignoredProfile(body: Uint8Array, type: number): boolean {
  if (type !== 0 && type !== 4) return false;
  const nameEnd = body.indexOf(0);
  if (nameEnd < 1 || nameEnd > 79 || body[nameEnd + 1] !== 0) return false;
  let profile: Uint8Array;
  try {
    profile = new Uint8Array(
      inflateSync(body.subarray(nameEnd + 2), { maxOutputLength: MAX_PROFILE_BYTES }),
    );
  } catch {
    return false;
  }
  // Bytes 16-19 of an ICC profile name its data colour space.
  return profile.length >= 20 && String.fromCharCode(...profile.subarray(16, 20)) === "RGB ";
}
