import { parseCsvHeader } from "./_csv_header.ts";
import { type DigitSet, IMAGE_PIXELS } from "./types.ts";

const LF = 0x0a;
const CR = 0x0d;
const COMMA = 0x2c;
const ZERO = 0x30;
const NINE = 0x39;

/** Rows the body can hold at most: its lines, counting a last line without a line end. */
function countLines(bytes: Uint8Array, start: number): number {
  let lines = 0;
  for (let p = bytes.indexOf(LF, start); p !== -1; p = bytes.indexOf(LF, p + 1)) lines++;
  if (bytes.length > start && bytes[bytes.length - 1] !== LF) lines++;
  return lines;
}

/** Where the field starting at `p` ends (at a comma, a line end or the end of the data). */
function fieldEnd(bytes: Uint8Array, p: number): number {
  while (p < bytes.length && bytes[p] !== COMMA && bytes[p] !== LF) p++;
  return p > 0 && bytes[p - 1] === CR && (p === bytes.length || bytes[p] === LF) ? p - 1 : p;
}

/** Fields on the line starting at `p`. */
function countFields(bytes: Uint8Array, p: number): number {
  let fields = 1;
  for (; p < bytes.length && bytes[p] !== LF; p++) if (bytes[p] === COMMA) fields++;
  return fields;
}

/** The error for a field that is not an integer in range (a slow path, taken once). */
function badField(
  bytes: Uint8Array,
  start: number,
  where: string,
  isLabel: boolean,
): Error {
  const text = new TextDecoder().decode(bytes.subarray(start, fieldEnd(bytes, start)));
  const expected = isLabel ? "a label 0-9" : "an integer 0-255";
  if (/^-?\d+$/.test(text)) {
    return new RangeError(`${where}: expected ${expected}, found ${text}`);
  }
  return new SyntaxError(`${where}: expected ${expected}, found ${JSON.stringify(text)}`);
}

/**
 * Parses a Kaggle digit-recognizer CSV held in `bytes` (already gunzipped): `train.csv`
 * (`label,pixel0,…,pixel783`, labels 0-9) or `test.csv` (`pixel0,…,pixel783`, no labels). Bytes are
 * parsed in place into one `Uint8Array` of `rows × 784`, without splitting strings. CRLF line ends,
 * a UTF-8 byte-order mark, a trailing newline and blank lines are accepted.
 *
 * Throws `SyntaxError` (empty file, bad header, wrong field count, a field that is not an integer,
 * no rows) or `RangeError` (a pixel outside 0-255, a label outside 0-9), with a message that names
 * `name`, the line and the field, and says what was expected and what was found.
 *
 * @param bytes The file's content.
 * @param name The file's name or path, for messages and `source`.
 * @returns The digits, `labels` being `null` for an unlabelled file.
 *
 * @example
 * ```ts
 * import { equal, throws } from "node:assert/strict";
 * import { parseKaggleCsv } from "./parse_kaggle_csv.ts";
 *
 * const header = "label," + Array.from({ length: 784 }, (_, i) => `pixel${i}`).join(",");
 * const row = "7," + new Array(784).fill(255).join(",");
 * const set = parseKaggleCsv(new TextEncoder().encode(`${header}\r\n${row}\r\n`), "train.csv");
 * equal(set.count, 1);
 * equal(set.labels?.[0], 7);
 * equal(set.images[783], 255);
 * throws(
 *   () => parseKaggleCsv(new TextEncoder().encode(`${header}\n7,1,2\n`), "train.csv"),
 *   { name: "SyntaxError", message: "Cannot parse train.csv line 2: expected 785 fields, found 3" },
 * );
 * ```
 */
export function parseKaggleCsv(bytes: Uint8Array, name = "<csv>"): DigitSet {
  const { labelled, names, bodyStart } = parseCsvHeader(bytes, name);
  const fields = names.length;
  const capacity = countLines(bytes, bodyStart);
  let images = new Uint8Array(capacity * IMAGE_PIXELS);
  let labels = new Uint8Array(labelled ? capacity : 0);
  const n = bytes.length;
  let p = bodyStart;
  let line = 2;
  let row = 0;
  const at = (field: number) =>
    `Cannot parse ${name} line ${line}, field ${field + 1} (${names[field]})`;

  while (p < n) {
    // Blank lines (and a trailing newline) are skipped; they still count as lines.
    if (bytes[p] === LF) {
      p++, line++;
      continue;
    }
    if (bytes[p] === CR && (p + 1 === n || bytes[p + 1] === LF)) {
      p += 2, line++;
      continue;
    }
    const pixels = row * IMAGE_PIXELS - (labelled ? 1 : 0);
    let field = 0;
    for (;;) {
      if (field === fields) {
        throw new SyntaxError(
          `Cannot parse ${name} line ${line}: expected ${fields} fields, found ${
            field + countFields(bytes, p)
          }`,
        );
      }
      const start = p;
      let value = 0;
      while (p < n) {
        const c = bytes[p];
        if (c < ZERO || c > NINE) break;
        value = value * 10 + (c - ZERO);
        p++;
      }
      const c = p < n ? bytes[p] : LF;
      const isLabel = labelled && field === 0;
      const ends = c === COMMA || c === LF || (c === CR && (p + 1 === n || bytes[p + 1] === LF));
      if (p === start || !ends) throw badField(bytes, start, at(field), isLabel);
      if (isLabel) {
        if (value > 9) throw badField(bytes, start, at(field), true);
        labels[row] = value;
      } else {
        if (value > 255) throw badField(bytes, start, at(field), false);
        images[pixels + field] = value;
      }
      field++;
      p += c === CR ? 2 : 1;
      if (c !== COMMA) break;
    }
    if (field !== fields) {
      throw new SyntaxError(
        `Cannot parse ${name} line ${line}: expected ${fields} fields, found ${field}`,
      );
    }
    row++, line++;
  }
  if (row === 0) {
    throw new SyntaxError(
      `Cannot parse ${name}: expected at least one row after the header, found none`,
    );
  }
  if (row < capacity) {
    images = images.slice(0, row * IMAGE_PIXELS);
    labels = labels.slice(0, labelled ? row : 0);
  }
  return { images, labels: labelled ? labels : null, count: row, source: name };
}
