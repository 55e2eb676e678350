import { IDX_IMAGES_MAGIC, readIdxHeader } from "./_idx_header.ts";
import { IMAGE_SIZE } from "./types.ts";

/**
 * Parses an MNIST IDX images file held in `bytes` (already gunzipped): magic 2051, sizes
 * `n, 28, 28`, then `n × 784` pixels. Returns the pixels, a view into `bytes` (no copy).
 *
 * Throws `SyntaxError` for a short header, a wrong magic number or a file that is shorter or
 * longer than its header says, and `RangeError` for images that are not 28×28; messages name
 * `name` and the byte offset.
 *
 * @param bytes The file's content.
 * @param name The file's name or path, for messages.
 * @returns `n × 784` pixels, 0-255, row-major.
 *
 * @example
 * ```ts
 * import { equal, throws } from "node:assert/strict";
 * import { parseIdxImages } from "./parse_idx_images.ts";
 *
 * const file = new Uint8Array(16 + 784);
 * new DataView(file.buffer).setUint32(0, 2051);
 * new DataView(file.buffer).setUint32(4, 1);
 * new DataView(file.buffer).setUint32(8, 28);
 * new DataView(file.buffer).setUint32(12, 28);
 * file[16 + 783] = 255;
 * equal(parseIdxImages(file, "one-images-idx3-ubyte")[783], 255);
 * throws(() => parseIdxImages(file.subarray(0, 100), "x"), /truncated at byte 100/);
 * ```
 */
export function parseIdxImages(bytes: Uint8Array, name = "<idx>"): Uint8Array {
  const [, rows, columns] = readIdxHeader(bytes, name, IDX_IMAGES_MAGIC);
  if (rows !== IMAGE_SIZE || columns !== IMAGE_SIZE) {
    throw new RangeError(
      `Cannot parse ${name} at byte 8: expected images of ${IMAGE_SIZE}×${IMAGE_SIZE}, ` +
        `found ${rows}×${columns}`,
    );
  }
  return bytes.subarray(16);
}
