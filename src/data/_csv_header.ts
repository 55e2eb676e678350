/**
 * The header line of a Kaggle digit-recognizer CSV: `label,pixel0,…,pixel783` (train) or
 * `pixel0,…,pixel783` (test).
 *
 * @module
 */
import { IMAGE_PIXELS } from "./types.ts";

/** What the header says about the rows below it. */
export interface CsvHeader {
  /** Whether the first column is `label`. */
  labelled: boolean;
  /** Column names, in order: `label` (when labelled), then `pixel0…pixel783`. */
  names: string[];
  /** Byte offset of the first row (just past the header's line end). */
  bodyStart: number;
}

const LF = 0x0a;

/** The header a labelled (`true`) or unlabelled (`false`) file must have. */
export function expectedNames(labelled: boolean): string[] {
  const pixels = Array.from({ length: IMAGE_PIXELS }, (_, i) => `pixel${i}`);
  return labelled ? ["label", ...pixels] : pixels;
}

function isBlank(bytes: Uint8Array): boolean {
  for (const byte of bytes) {
    if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) return false;
  }
  return true;
}

function cleanName(raw: string): string {
  const trimmed = raw.trim();
  return trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"')
    ? trimmed.slice(1, -1)
    : trimmed;
}

/**
 * Reads and checks the header of `bytes` (from the file `name`). Throws `SyntaxError` for an empty
 * file or a header that is not exactly one of the two Kaggle layouts.
 */
export function parseCsvHeader(bytes: Uint8Array, name: string): CsvHeader {
  if (isBlank(bytes)) {
    throw new SyntaxError(
      `Cannot parse ${name}: expected a header line "label,pixel0,…,pixel783" or ` +
        `"pixel0,…,pixel783", found an empty file`,
    );
  }
  const lineEnd = bytes.indexOf(LF);
  const end = lineEnd === -1 ? bytes.length : lineEnd;
  let text = new TextDecoder().decode(bytes.subarray(0, end));
  if (text.endsWith("\r")) text = text.slice(0, -1);
  const found = text.split(",").map(cleanName);
  const labelled = found[0] === "label" || found.length === IMAGE_PIXELS + 1;
  const names = expectedNames(labelled);
  if (found.length !== names.length) {
    const layout = labelled ? "label,pixel0,…,pixel783" : "pixel0,…,pixel783";
    throw new SyntaxError(
      `Cannot parse ${name} line 1: expected a header of ${names.length} fields (${layout}), ` +
        `found ${found.length}`,
    );
  }
  for (let i = 0; i < names.length; i++) {
    if (found[i] !== names[i]) {
      throw new SyntaxError(
        `Cannot parse ${name} line 1, field ${i + 1}: expected header "${names[i]}", ` +
          `found "${found[i]}"`,
      );
    }
  }
  return { labelled, names, bodyStart: lineEnd === -1 ? bytes.length : lineEnd + 1 };
}
