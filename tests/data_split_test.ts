import { deepEqual, equal, notDeepEqual, throws } from "node:assert/strict";
import {
  classCounts,
  describeSplit,
  type DigitSet,
  limitDigits,
  splitDigits,
} from "../src/data/mod.ts";

/** `n` digits labelled i % 10 whose first two pixels spell the row number, to trace rows. */
function numbered(n: number, labelled = true): DigitSet {
  const images = new Uint8Array(n * 784);
  for (let i = 0; i < n; i++) {
    images[i * 784] = i >> 8;
    images[i * 784 + 1] = i & 255;
    images[i * 784 + 2] = (i * 37) % 256;
  }
  const labels = labelled ? Uint8Array.from({ length: n }, (_, i) => i % 10) : null;
  return { images, labels, count: n, source: "numbered" };
}

/** The original row number of each row of `set`, checking that its pixels and label came along. */
function rows(set: DigitSet): number[] {
  return Array.from({ length: set.count }, (_, k) => {
    const i = set.images[k * 784] * 256 + set.images[k * 784 + 1];
    equal(set.images[k * 784 + 2], (i * 37) % 256);
    if (set.labels !== null) equal(set.labels[k], i % 10);
    return i;
  });
}

Deno.test("splitDigits() holds out ceil(20 %) of 42,000 rows, each row once", () => {
  const { train, validation } = splitDigits(numbered(42_000));
  equal(train.count, 33_600);
  equal(validation.count, 8_400);
  equal(train.images.length, 33_600 * 784);
  equal(validation.labels?.length, 8_400);
  const all = [...rows(train), ...rows(validation)].sort((a, b) => a - b);
  deepEqual(all, Array.from({ length: 42_000 }, (_, i) => i));
  notDeepEqual(rows(validation).slice(0, 20), Array.from({ length: 20 }, (_, i) => i));
});

Deno.test("splitDigits() gives the same split for the same seed and another for another seed", () => {
  const set = numbered(1_000);
  const a = splitDigits(set, { seed: 1212 });
  const b = splitDigits(set, { seed: 1212 });
  const c = splitDigits(set, { seed: 1213 });
  deepEqual(rows(a.validation), rows(b.validation));
  deepEqual(a.train.images, b.train.images);
  notDeepEqual(rows(a.validation), rows(c.validation));
  equal(c.validation.count, 200);
});

Deno.test("splitDigits() rounds the validation size up as scikit-learn does", () => {
  equal(splitDigits(numbered(10), { validationSplit: 0.25 }).validation.count, 3);
  equal(splitDigits(numbered(7), { validationSplit: 0.2 }).validation.count, 2);
  const none = splitDigits(numbered(7), { validationSplit: 0 });
  equal(none.validation.count, 0);
  equal(none.train.count, 7);
});

Deno.test("splitDigits() splits an unlabelled set and rejects a split outside [0, 1)", () => {
  const { train, validation } = splitDigits(numbered(50, false));
  equal(train.labels, null);
  equal(validation.count, 10);
  throws(() => splitDigits(numbered(5), { validationSplit: 1 }), {
    name: "RangeError",
    message: "Cannot split numbered: expected a validation split in [0, 1), found 1",
  });
  throws(() => splitDigits(numbered(5), { seed: 1.5 }), RangeError);
});

Deno.test("limitDigits() keeps the first N rows without copying", () => {
  const set = numbered(100);
  const first = limitDigits(set, 30);
  equal(first.count, 30);
  deepEqual(rows(first), Array.from({ length: 30 }, (_, i) => i));
  equal(first.images.buffer, set.images.buffer);
  equal(limitDigits(set, 500), set);
  throws(() => limitDigits(set, 0), {
    name: "RangeError",
    message: /expected a positive integer, found 0$/,
  });
});

Deno.test("classCounts() counts each digit and rejects an unlabelled set", () => {
  deepEqual(classCounts(numbered(25)), [3, 3, 3, 3, 3, 2, 2, 2, 2, 2]);
  throws(() => classCounts(numbered(3, false)), {
    name: "TypeError",
    message: "Cannot count classes of numbered: expected labels, found none",
  });
});

Deno.test("describeSplit() prints shapes N×28×28×1 and the class balance", () => {
  const { train, validation } = splitDigits(numbered(42_000));
  const lines = describeSplit({ train, validation, test: numbered(28_000, false) });
  deepEqual(lines.slice(0, 4), [
    "train        33600×28×28×1",
    "validation    8400×28×28×1",
    "test         28000×28×28×1 (unlabelled)",
    "class            0     1     2     3     4     5     6     7     8     9",
  ]);
  equal(lines.length, 6);
  const trainCounts = lines[4].split(/\s+/).slice(1).map(Number);
  deepEqual(trainCounts, classCounts(train));
  equal(trainCounts.reduce((a, b) => a + b), 33_600);
});
