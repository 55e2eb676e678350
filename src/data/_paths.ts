/**
 * Finding files beside each other: the labels file of an IDX images file, and the data files in a
 * folder.
 *
 * @module
 */
import { basename, dirname, join } from "node:path";
import { exists } from "../io/exists.ts";

/** The first of `paths` that exists, or `null`. */
export async function firstExisting(paths: string[]): Promise<string | null> {
  for (const path of paths) if (await exists(path)) return path;
  return null;
}

/**
 * Where the labels of an IDX images file are, by the standard naming: `train-images-idx3-ubyte[.gz]`
 * → `train-labels-idx1-ubyte[.gz]` (likewise `t10k-…` and the dotted `…-images.idx3-ubyte`),
 * first with the same compression suffix, then with the other. Empty when the name does not
 * follow the convention.
 */
export function labelsCandidates(imagesPath: string): string[] {
  const name = basename(imagesPath);
  const pattern = /images([.-])idx3([.-])ubyte/;
  if (!pattern.test(name)) return [];
  const labels = join(dirname(imagesPath), name.replace(pattern, "labels$1idx1$2ubyte"));
  return labels.endsWith(".gz") ? [labels, labels.slice(0, -3)] : [labels, `${labels}.gz`];
}

/** Files a data folder may hold, in order of preference. */
export const FOLDER_IMAGES: readonly string[] = [
  "train-images-idx3-ubyte.gz",
  "train-images-idx3-ubyte",
  "train-images.idx3-ubyte",
];
/** Kaggle files a data folder may hold when it has no IDX pair. */
export const FOLDER_CSV: readonly string[] = ["train.csv.gz", "train.csv"];
