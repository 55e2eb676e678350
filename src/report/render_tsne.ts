import type { TopLevelSpec } from "vega-lite";
import { vegaLiteToPng } from "./_raster.ts";

/** Options of {@linkcode renderTsne}. */
export interface TsneChartOptions {
  /** Chart title. @default "t-SNE of the digits" */
  title?: string;
}

/**
 * Scatter plot of a 2-D embedding (`[n, 2]`, from {@linkcode tsne}) coloured by label, with a
 * legend of the ten digits.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const png = await renderTsne(new Float32Array([0, 0, 1, 1]), [3, 7]);
 * assert.equal(png[1], 0x50);
 * ```
 */
export async function renderTsne(
  embedding: Float32Array,
  labels: ArrayLike<number>,
  options: TsneChartOptions = {},
): Promise<Uint8Array> {
  if (embedding.length !== labels.length * 2) {
    throw new RangeError(
      `Cannot draw t-SNE: expected ${
        labels.length * 2
      } coordinates for ${labels.length} labels, found ${embedding.length}`,
    );
  }
  const values = Array.from(labels, (label, i) => ({
    x: embedding[2 * i],
    y: embedding[2 * i + 1],
    digit: String(label),
  }));
  const spec: TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: options.title ?? "t-SNE of the digits",
    width: 480,
    height: 480,
    data: { values },
    mark: { type: "circle", size: 24, opacity: 0.8 },
    encoding: {
      x: { field: "x", type: "quantitative", title: null, axis: { labels: false, ticks: false } },
      y: { field: "y", type: "quantitative", title: null, axis: { labels: false, ticks: false } },
      color: {
        field: "digit",
        type: "nominal",
        title: "digit",
        scale: { scheme: "category10", domain: ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"] },
      },
    },
  };
  return await vegaLiteToPng(spec);
}
