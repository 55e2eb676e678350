import type { TopLevelSpec } from "vega-lite";
import { vegaLiteToPng } from "./_raster.ts";

/** Per-epoch training history, as the training loop records it. */
export interface TrainingHistory {
  /** Epoch numbers (1-based). */
  epoch: number[];
  /** Training loss per epoch. */
  loss: number[];
  /** Validation loss per epoch. */
  valLoss: number[];
  /** Training accuracy per epoch. */
  accuracy: number[];
  /** Validation accuracy per epoch. */
  valAccuracy: number[];
}

/**
 * Draws training against validation curves of one metric per epoch (a Vega-Lite line chart with
 * points, a legend and axis titles), like the notebook's loss and accuracy plots.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const png = await renderHistoryChart(
 *   { epoch: [1, 2], loss: [0.5, 0.3], valLoss: [0.4, 0.35], accuracy: [0.8, 0.9], valAccuracy: [0.85, 0.88] },
 *   "loss",
 * );
 * assert.equal(png[1], 0x50); // "P" of the PNG signature
 * ```
 */
export async function renderHistoryChart(
  history: TrainingHistory,
  metric: "loss" | "accuracy",
): Promise<Uint8Array> {
  const train = metric === "loss" ? history.loss : history.accuracy;
  const validation = metric === "loss" ? history.valLoss : history.valAccuracy;
  const values = history.epoch.flatMap((epoch, i) => [
    { epoch, value: train[i], set: "train" },
    { epoch, value: validation[i], set: "validation" },
  ]).filter((row) => Number.isFinite(row.value));
  const spec: TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: `Training and validation ${metric}`,
    width: 480,
    height: 300,
    data: { values },
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "epoch", type: "quantitative", title: "epoch", axis: { tickMinStep: 1 } },
      y: { field: "value", type: "quantitative", title: metric, scale: { zero: false } },
      color: {
        field: "set",
        type: "nominal",
        title: null,
        scale: { domain: ["train", "validation"], range: ["#1f77b4", "#d62728"] },
      },
    },
  };
  return await vegaLiteToPng(spec);
}
