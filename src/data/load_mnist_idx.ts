import { pairWithLabels } from "./_idx_pair.ts";
import { readMaybeGzip } from "./_read_bytes.ts";
import type { DigitSet } from "./types.ts";

/**
 * Loads an MNIST IDX pair, each file plain or gzipped (recognised by the magic bytes 1f 8b). When
 * `labelsPath` is left out, the labels are looked for beside the images by the standard naming
 * (`train-images-idx3-ubyte[.gz]` → `train-labels-idx1-ubyte[.gz]`, `t10k-…` likewise).
 *
 * Throws `Deno.errors.NotFound` for a missing file, `RangeError` when the two files hold different
 * counts, and the errors of `parseIdxImages()` / `parseIdxLabels()` for a malformed file.
 *
 * @param imagesPath The images file (magic 2051).
 * @param labelsPath The labels file (magic 2049).
 * @returns The digits, `source` being `imagesPath`.
 *
 * @example
 * ```ts
 * import { deepEqual, rejects } from "node:assert/strict";
 * import { loadMnistIdx } from "./load_mnist_idx.ts";
 *
 * const dir = await Deno.makeTempDir();
 * const images = new Uint8Array(16 + 2 * 784);
 * const view = new DataView(images.buffer);
 * [2051, 2, 28, 28].forEach((v, i) => view.setUint32(4 * i, v));
 * await Deno.writeFile(`${dir}/t10k-images-idx3-ubyte`, images);
 * await Deno.writeFile(`${dir}/t10k-labels-idx1-ubyte`, new Uint8Array([0, 0, 8, 1, 0, 0, 0, 2, 4, 2]));
 * const set = await loadMnistIdx(`${dir}/t10k-images-idx3-ubyte`);
 * deepEqual([set.count, ...set.labels!], [2, 4, 2]);
 * await rejects(loadMnistIdx(`${dir}/train-images-idx3-ubyte`), Deno.errors.NotFound);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function loadMnistIdx(imagesPath: string, labelsPath?: string): Promise<DigitSet> {
  return await pairWithLabels(await readMaybeGzip(imagesPath), imagesPath, labelsPath);
}
