/** What the first bytes of an image file say about it. */
export interface ImageHeader {
  /** The type the bytes are, whatever the request claimed: `image/png`, `image/jpeg` … */
  type: string;
  /** Width in pixels, or 0 when the header does not say (a truncated file). */
  width: number;
  /** Height in pixels, or 0 when the header does not say. */
  height: number;
}

function startsWith(bytes: Uint8Array, signature: number[], at = 0): boolean {
  if (bytes.length < at + signature.length) return false;
  return signature.every((b, i) => bytes[at + i] === b);
}

const ascii = (s: string): number[] => [...s].map((ch) => ch.charCodeAt(0));

function pngSize(bytes: Uint8Array, view: DataView): [number, number] {
  // IHDR is the first chunk: width and height, big-endian, at 16 and 20.
  if (bytes.length < 24 || !startsWith(bytes, ascii("IHDR"), 12)) return [0, 0];
  return [view.getUint32(16), view.getUint32(20)];
}

function gifSize(bytes: Uint8Array, view: DataView): [number, number] {
  if (bytes.length < 10) return [0, 0];
  return [view.getUint16(6, true), view.getUint16(8, true)];
}

function jpegSize(bytes: Uint8Array, view: DataView): [number, number] {
  // Walk the marker segments until a start-of-frame (SOF0-SOF15 except DHT, JPG and DAC).
  let at = 2;
  while (at + 9 < bytes.length) {
    if (bytes[at] !== 0xff) return [0, 0];
    const marker = bytes[at + 1];
    if (marker === 0xff) {
      at += 1; // fill byte
      continue;
    }
    const length = view.getUint16(at + 2);
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 &&
      marker !== 0xcc;
    if (isSof) return [view.getUint16(at + 7), view.getUint16(at + 5)];
    if (length < 2) return [0, 0];
    at += 2 + length;
  }
  return [0, 0];
}

function webpSize(bytes: Uint8Array, view: DataView): [number, number] {
  if (bytes.length < 30) return [0, 0];
  if (startsWith(bytes, ascii("VP8X"), 12)) {
    const w = 1 + (bytes[24] | (bytes[25] << 8) | (bytes[26] << 16));
    const h = 1 + (bytes[27] | (bytes[28] << 8) | (bytes[29] << 16));
    return [w, h];
  }
  if (startsWith(bytes, ascii("VP8L"), 12)) {
    const bits = view.getUint32(21, true);
    return [1 + (bits & 0x3fff), 1 + ((bits >>> 14) & 0x3fff)];
  }
  if (startsWith(bytes, ascii("VP8 "), 12)) {
    return [view.getUint16(26, true) & 0x3fff, view.getUint16(28, true) & 0x3fff];
  }
  return [0, 0];
}

/**
 * Recognises PNG, JPEG, GIF and WebP files by their signature and reads their size from the header
 * alone, so that a request is refused before any pixel is decoded. Returns `null` for anything else
 * (SVG, HTML, PDF, random bytes).
 */
export function readImageHeader(bytes: Uint8Array): ImageHeader | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let type: string;
  let size: [number, number];
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) {
    [type, size] = ["image/png", pngSize(bytes, view)];
  } else if (startsWith(bytes, [0xff, 0xd8, 0xff])) {
    [type, size] = ["image/jpeg", jpegSize(bytes, view)];
  } else if (startsWith(bytes, ascii("GIF87a")) || startsWith(bytes, ascii("GIF89a"))) {
    [type, size] = ["image/gif", gifSize(bytes, view)];
  } else if (startsWith(bytes, ascii("RIFF")) && startsWith(bytes, ascii("WEBP"), 8)) {
    [type, size] = ["image/webp", webpSize(bytes, view)];
  } else {
    return null;
  }
  return { type, width: size[0], height: size[1] };
}
