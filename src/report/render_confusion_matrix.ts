import type { TopLevelSpec } from "vega-lite";
import { vegaLiteToPng } from "./_raster.ts";
import { confusionMatrix } from "./confusion_matrix.ts";

/** Options of {@linkcode renderConfusionMatrix}. */
export interface ConfusionMatrixOptions {
  /** Chart title. @default "Confusion matrix" */
  title?: string;
}

/**
 * Draws the 10×10 confusion matrix as a heatmap with the count in each cell (white text on dark
 * cells, black on light ones); rows are the true class, columns the predicted class.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const png = await renderConfusionMatrix([0, 1, 2], [0, 1, 1]);
 * assert.equal(png[1], 0x50);
 * ```
 */
export async function renderConfusionMatrix(
  labels: ArrayLike<number>,
  predictions: ArrayLike<number>,
  options: ConfusionMatrixOptions = {},
): Promise<Uint8Array> {
  const matrix = confusionMatrix(labels, predictions);
  const max = Math.max(1, ...matrix.flat());
  const values = matrix.flatMap((row, t) =>
    row.map((count, p) => ({ true: t, predicted: p, count, dark: count > max / 2 }))
  );
  const axis = { type: "ordinal" as const, sort: "ascending" as const, axis: { labelAngle: 0 } };
  const spec: TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: options.title ?? "Confusion matrix",
    width: 400,
    height: 400,
    data: { values },
    encoding: {
      x: {
        field: "predicted",
        title: "predicted",
        ...axis,
        axis: { orient: "top", labelAngle: 0 },
      },
      y: { field: "true", title: "true", ...axis },
    },
    layer: [
      {
        mark: "rect",
        encoding: {
          color: {
            field: "count",
            type: "quantitative",
            scale: { scheme: "blues", domain: [0, max] },
          },
        },
      },
      {
        mark: { type: "text", fontSize: 12 },
        encoding: {
          text: { field: "count", type: "quantitative" },
          color: { condition: { test: "datum.dark", value: "white" }, value: "black" },
        },
      },
    ],
  };
  return await vegaLiteToPng(spec);
}
