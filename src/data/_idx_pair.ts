/**
 * Pairing the bytes of an IDX images file with its labels file.
 *
 * @module
 */
import { firstExisting, labelsCandidates } from "./_paths.ts";
import { readMaybeGzip } from "./_read_bytes.ts";
import { parseIdxImages } from "./parse_idx_images.ts";
import { parseIdxLabels } from "./parse_idx_labels.ts";
import { type DigitSet, IMAGE_PIXELS } from "./types.ts";

/**
 * Parses `bytes` (the gunzipped content of the images file `imagesPath`) and the labels file
 * `labelsPath`, found beside the images by the standard naming when left out.
 */
export async function pairWithLabels(
  bytes: Uint8Array,
  imagesPath: string,
  labelsPath?: string,
): Promise<DigitSet> {
  const images = parseIdxImages(bytes, imagesPath);
  if (labelsPath === undefined) {
    const candidates = labelsCandidates(imagesPath);
    const found = await firstExisting(candidates);
    if (found === null) {
      throw new Deno.errors.NotFound(
        `Cannot find the labels of ${imagesPath}: expected ` +
          (candidates.length > 0
            ? candidates.join(" or ")
            : "a name like train-images-idx3-ubyte[.gz] with train-labels-idx1-ubyte[.gz] beside it"),
      );
    }
    labelsPath = found;
  }
  const labels = parseIdxLabels(await readMaybeGzip(labelsPath), labelsPath);
  const count = images.length / IMAGE_PIXELS;
  if (labels.length !== count) {
    throw new RangeError(
      `Cannot pair ${imagesPath} with ${labelsPath}: expected as many labels as images (${count}), ` +
        `found ${labels.length} labels`,
    );
  }
  return { images, labels, count, source: imagesPath };
}
