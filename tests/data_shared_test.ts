/**
 * The loaders on the real files in `../shared/data` (skipped where that folder is absent).
 *
 * @module
 */
import { deepEqual, equal } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  classCounts,
  type DigitSet,
  loadDigits,
  loadMnistIdx,
  splitDigits,
} from "../src/data/mod.ts";

const DATA = fileURLToPath(new URL("../../shared/data/", import.meta.url));

function has(path: string): boolean {
  try {
    Deno.statSync(DATA + path);
    return true;
  } catch {
    return false;
  }
}

const NO_KAGGLE = !has("kaggle/train.csv.gz") || !has("kaggle/test.csv.gz");
const NO_MNIST = !has("mnist/SHA256SUMS");

/** Label counts of the MNIST files, from shared/data/README.md. */
const TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949];
const TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009];

async function sha256(...parts: Uint8Array[]): Promise<string> {
  const whole = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) whole.set(part, at), at += part.length;
  const digest = await crypto.subtle.digest("SHA-256", whole);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

function header(magic: number, sizes: number[]): Uint8Array {
  const out = new Uint8Array(4 + 4 * sizes.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, magic);
  sizes.forEach((size, i) => view.setUint32(4 + 4 * i, size));
  return out;
}

/** The SHA-256 of the uncompressed IDX files that `set` was loaded from, rebuilt from its contents. */
async function idxSums(set: DigitSet): Promise<[string, string]> {
  return [
    await sha256(header(2051, [set.count, 28, 28]), set.images),
    await sha256(header(2049, [set.count]), set.labels!),
  ];
}

async function expectedSums(): Promise<Map<string, string>> {
  const text = await Deno.readTextFile(DATA + "mnist/SHA256SUMS");
  return new Map(
    text.trim().split("\n").map((line) => {
      const [sum, name] = line.trim().split(/\s+\*?/);
      return [name.replace(/\.gz$/, ""), sum];
    }),
  );
}

Deno.test({
  name: "loadDigits() reads Kaggle's train.csv.gz: 42,000 labelled rows",
  ignore: NO_KAGGLE,
  fn: async () => {
    const set = await loadDigits(DATA + "kaggle/train.csv.gz");
    equal(set.count, 42_000);
    equal(set.images.length, 42_000 * 784);
    equal(classCounts(set).reduce((a, b) => a + b), 42_000);
    const { train, validation } = splitDigits(set);
    equal(train.count, 33_600);
    equal(validation.count, 8_400);
  },
});

Deno.test({
  name: "loadDigits() reads Kaggle's test.csv.gz: 28,000 unlabelled rows",
  ignore: NO_KAGGLE,
  fn: async () => {
    const set = await loadDigits(DATA + "kaggle/test.csv.gz");
    equal(set.count, 28_000);
    equal(set.labels, null);
    equal(set.images.length, 28_000 * 784);
  },
});

Deno.test({
  name: "loadDigits() reads the MNIST folder's 60,000 training digits byte for byte",
  ignore: NO_MNIST,
  fn: async () => {
    const set = await loadDigits(DATA + "mnist");
    equal(set.count, 60_000);
    deepEqual(classCounts(set), TRAIN_COUNTS);
    const sums = await expectedSums();
    deepEqual(await idxSums(set), [
      sums.get("train-images-idx3-ubyte"),
      sums.get("train-labels-idx1-ubyte"),
    ]);
  },
});

Deno.test({
  name: "loadMnistIdx() reads the 10,000 MNIST test digits byte for byte",
  ignore: NO_MNIST,
  fn: async () => {
    const set = await loadMnistIdx(DATA + "mnist/t10k-images-idx3-ubyte.gz");
    equal(set.count, 10_000);
    deepEqual(classCounts(set), TEST_COUNTS);
    const sums = await expectedSums();
    deepEqual(await idxSums(set), [
      sums.get("t10k-images-idx3-ubyte"),
      sums.get("t10k-labels-idx1-ubyte"),
    ]);
  },
});
