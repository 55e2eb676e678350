import { classCounts } from "./class_counts.ts";
import { type DigitSet, IMAGE_SIZE, NUM_CLASSES } from "./types.ts";

/** The sets {@linkcode describeSplit} reports on. */
export interface SplitSets {
  /** Rows to train on. */
  train: DigitSet;
  /** Rows held out for validation. */
  validation: DigitSet;
  /** The test set (Kaggle's `test.csv`), when there is one. */
  test?: DigitSet;
}

const WIDTH = 12;

/**
 * The lines the notebook prints after splitting: each set's shape as the model sees it
 * (`N×28×28×1`), then the class balance, one row of counts per labelled set.
 *
 * @param sets The training and validation sets, and optionally the test set.
 * @returns Lines to print, without line ends.
 *
 * @example
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { describeSplit } from "./describe_split.ts";
 *
 * const set = (labels: number[]) => ({
 *   images: new Uint8Array(labels.length * 784),
 *   labels: new Uint8Array(labels),
 *   count: labels.length,
 *   source: "x",
 * });
 * deepEqual(describeSplit({ train: set([0, 1, 1]), validation: set([9]) }), [
 *   "train        3×28×28×1",
 *   "validation   1×28×28×1",
 *   "class            0     1     2     3     4     5     6     7     8     9",
 *   "train            1     2     0     0     0     0     0     0     0     0",
 *   "validation       0     0     0     0     0     0     0     0     0     1",
 * ]);
 * ```
 */
export function describeSplit(sets: SplitSets): string[] {
  const named: [string, DigitSet][] = [["train", sets.train], ["validation", sets.validation]];
  if (sets.test !== undefined) named.push(["test", sets.test]);
  const countWidth = Math.max(...named.map(([, set]) => String(set.count).length));
  const lines = named.map(([name, set]) =>
    `${name.padEnd(WIDTH)} ${
      String(set.count).padStart(countWidth)
    }×${IMAGE_SIZE}×${IMAGE_SIZE}×1` +
    (set.labels === null ? " (unlabelled)" : "")
  );
  const labelled = named.filter(([, set]) => set.labels !== null && set.count > 0);
  if (labelled.length === 0) return lines;
  const counts = labelled.map(([, set]) => classCounts(set));
  const cell = Math.max(5, ...counts.flat().map((n) => String(n).length)) + 1;
  const digits = Array.from({ length: NUM_CLASSES }, (_, d) => String(d).padStart(cell));
  lines.push("class".padEnd(WIDTH) + digits.join(""));
  labelled.forEach(([name], i) => {
    lines.push(name.padEnd(WIDTH) + counts[i].map((n) => String(n).padStart(cell)).join(""));
  });
  return lines;
}
