/**
 * Width and height read from the first bytes of a PNG, GIF or JPEG, without decoding, so that a
 * file claiming too many pixels is refused even when its pixel data is missing or a decoder would
 * give up on it. Returns `null` for other types or a header too short to say.
 */
export function headerSize(bytes: Uint8Array, type: string): [number, number] | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (type === "png" && bytes.length >= 24) return [view.getUint32(16), view.getUint32(20)];
  if (type === "gif" && bytes.length >= 10) {
    return [view.getUint16(6, true), view.getUint16(8, true)];
  }
  if (type !== "jpeg") return null;
  // Walk the marker segments to the first start-of-frame (SOF0-SOF15 but DHT, JPG and DAC).
  let at = 2;
  while (at + 9 < bytes.length && bytes[at] === 0xff) {
    const marker = bytes[at + 1];
    if (marker === 0xff) {
      at++;
      continue;
    }
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
      return [view.getUint16(at + 7), view.getUint16(at + 5)];
    }
    at += 2 + view.getUint16(at + 2);
  }
  return null;
}

/**
 * The EXIF orientation (1-8) of a JPEG, read from its first `Exif` APP1 segment: 1 when it has
 * none, `null` when the segments cannot be walked (the caller then asks the decoder).
 */
export function jpegOrientation(bytes: Uint8Array): number | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 2;
  while (at + 4 <= bytes.length && bytes[at] === 0xff) {
    const marker = bytes[at + 1];
    if (marker === 0xff) {
      at++;
      continue;
    }
    if (marker === 0xda || (marker >= 0xc0 && marker <= 0xcf)) return 1; // no EXIF before the image
    const length = view.getUint16(at + 2);
    const exif = at + 4;
    if (marker === 0xe1 && exif + 14 <= bytes.length && view.getUint32(exif) === 0x45786966) {
      return tiffOrientation(view, exif + 6, Math.min(bytes.length, at + 2 + length));
    }
    at += 2 + length;
  }
  return null;
}

/** Orientation tag (0x0112) of IFD0 in the TIFF structure at `tiff`; 1 when absent. */
function tiffOrientation(view: DataView, tiff: number, end: number): number | null {
  const order = view.getUint16(tiff);
  if (order !== 0x4949 && order !== 0x4d4d) return null;
  const little = order === 0x4949;
  const ifd = tiff + view.getUint32(tiff + 4, little);
  if (ifd + 2 > end) return null;
  const entries = view.getUint16(ifd, little);
  for (let i = 0; i < entries; i++) {
    const entry = ifd + 2 + 12 * i;
    if (entry + 12 > end) return null;
    if (view.getUint16(entry, little) !== 0x0112) continue;
    const value = view.getUint16(entry + 8, little);
    return value >= 1 && value <= 8 ? value : 1;
  }
  return 1;
}
