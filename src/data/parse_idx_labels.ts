import { IDX_LABELS_MAGIC, readIdxHeader } from "./_idx_header.ts";
import { NUM_CLASSES } from "./types.ts";

/**
 * Parses an MNIST IDX labels file held in `bytes` (already gunzipped): magic 2049, size `n`, then
 * `n` labels 0-9. Returns the labels, a view into `bytes` (no copy).
 *
 * Throws `SyntaxError` for a short header, a wrong magic number or a file that is shorter or longer
 * than its header says, and `RangeError` for a label outside 0-9; messages name `name` and the byte
 * offset.
 *
 * @param bytes The file's content.
 * @param name The file's name or path, for messages.
 * @returns `n` labels.
 *
 * @example
 * ```ts
 * import { deepEqual, throws } from "node:assert/strict";
 * import { parseIdxLabels } from "./parse_idx_labels.ts";
 *
 * const file = new Uint8Array([0, 0, 8, 1, 0, 0, 0, 3, 7, 0, 9]);
 * deepEqual([...parseIdxLabels(file, "labels")], [7, 0, 9]);
 * file[9] = 12;
 * throws(() => parseIdxLabels(file, "labels"), {
 *   name: "RangeError",
 *   message: "Cannot parse labels at byte 9: expected a label 0-9, found 12",
 * });
 * ```
 */
export function parseIdxLabels(bytes: Uint8Array, name = "<idx>"): Uint8Array {
  readIdxHeader(bytes, name, IDX_LABELS_MAGIC);
  const labels = bytes.subarray(8);
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] >= NUM_CLASSES) {
      throw new RangeError(
        `Cannot parse ${name} at byte ${8 + i}: expected a label 0-9, found ${labels[i]}`,
      );
    }
  }
  return labels;
}
