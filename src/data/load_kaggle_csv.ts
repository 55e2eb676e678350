import { readMaybeGzip } from "./_read_bytes.ts";
import { parseKaggleCsv } from "./parse_kaggle_csv.ts";
import type { DigitSet } from "./types.ts";

/**
 * Loads a Kaggle digit-recognizer CSV (`train.csv` with labels or `test.csv` without), plain or
 * gzipped: gzip is recognised by its magic bytes 1f 8b, not by the name. See `parseKaggleCsv()`
 * for the checks and the errors; a missing file throws `Deno.errors.NotFound`.
 *
 * @param path The file to read.
 * @returns The digits, `source` being `path`.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { loadKaggleCsv } from "./load_kaggle_csv.ts";
 *
 * const dir = await Deno.makeTempDir();
 * const header = Array.from({ length: 784 }, (_, i) => `pixel${i}`).join(",");
 * await Deno.writeTextFile(`${dir}/test.csv`, `${header}\n${new Array(784).fill(0).join(",")}\n`);
 * const set = await loadKaggleCsv(`${dir}/test.csv`);
 * equal(set.count, 1);
 * equal(set.labels, null);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function loadKaggleCsv(path: string): Promise<DigitSet> {
  return parseKaggleCsv(await readMaybeGzip(path), path);
}
