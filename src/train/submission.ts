/**
 * Formats Kaggle's `submission.csv`: a header `ImageId,Label`, then one row per test image with
 * ids counted from 1, as the notebook's last cell writes it.
 *
 * @example
 * ```ts
 * import { formatSubmission } from "./submission.ts";
 * import { equal } from "node:assert/strict";
 * equal(formatSubmission(new Uint8Array([2, 0])), "ImageId,Label\n1,2\n2,0\n");
 * ```
 */
export function formatSubmission(predictions: ArrayLike<number>): string {
  const rows = ["ImageId,Label"];
  for (let i = 0; i < predictions.length; i++) rows.push(`${i + 1},${predictions[i]}`);
  return rows.join("\n") + "\n";
}
