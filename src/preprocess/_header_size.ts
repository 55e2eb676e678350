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
