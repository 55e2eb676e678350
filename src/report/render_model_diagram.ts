import type * as tf from "@tensorflow/tfjs";
import { escapeXml, svgToPng } from "./_raster.ts";

/** Width of the model diagram in pixels. */
export const DIAGRAM_WIDTH = 560;
/** Height of one layer box in pixels. */
export const DIAGRAM_BOX_HEIGHT = 64;
/** Vertical gap (holding the arrow) between boxes in pixels. */
export const DIAGRAM_GAP = 28;
/** Margin around the stack and height of the title band. */
export const DIAGRAM_MARGIN = 20;
const TITLE_BAND = 30;

function shapeText(shape: unknown): string {
  const one = (s: unknown): string =>
    Array.isArray(s)
      ? `(${s.map((d) => (d === null ? "None" : String(d))).join(", ")})`
      : String(s);
  return Array.isArray(shape) && Array.isArray(shape[0]) ? shape.map(one).join(", ") : one(shape);
}

function inputShape(layer: tf.layers.Layer): unknown {
  const input = layer.input;
  return Array.isArray(input) ? input.map((t) => t.shape) : input.shape;
}

/**
 * Draws the model like Keras' `plot_model(show_shapes=True)` without graphviz: a vertical stack
 * of boxes, one per layer (name, class, input and output shape, parameter count) joined by
 * arrows. The PNG is `DIAGRAM_WIDTH` wide and
 * `2·DIAGRAM_MARGIN + 30 + L·DIAGRAM_BOX_HEIGHT + (L−1)·DIAGRAM_GAP` high for L layers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createModel } from "../model/create_model.ts";
 * const png = await renderModelDiagram(createModel());
 * assert.equal(png[1], 0x50);
 * ```
 */
export async function renderModelDiagram(model: tf.LayersModel): Promise<Uint8Array> {
  const layers = model.layers;
  const height = diagramHeight(layers.length);
  const boxX = DIAGRAM_MARGIN, boxW = DIAGRAM_WIDTH - 2 * DIAGRAM_MARGIN;
  const parts: string[] = [
    `<text x="${DIAGRAM_WIDTH / 2}" y="${
      DIAGRAM_MARGIN + 14
    }" text-anchor="middle" font-size="16" ` +
    `font-weight="bold">${escapeXml(model.name)}: ${
      model.countParams().toLocaleString("en-US")
    } parameters</text>`,
  ];
  layers.forEach((layer, i) => {
    const y = DIAGRAM_MARGIN + TITLE_BAND + i * (DIAGRAM_BOX_HEIGHT + DIAGRAM_GAP);
    const cls = layer.getClassName();
    parts.push(
      `<rect x="${boxX}" y="${y}" width="${boxW}" height="${DIAGRAM_BOX_HEIGHT}" rx="6" ` +
        `fill="#eef4fb" stroke="#34618f" stroke-width="1.5"/>`,
      `<text x="${boxX + 12}" y="${y + 24}" font-size="15" font-weight="bold">${
        escapeXml(layer.name)
      }` +
        `<tspan font-weight="normal" fill="#555"> : ${escapeXml(cls)}</tspan></text>`,
      `<text x="${boxX + boxW - 12}" y="${y + 24}" font-size="13" text-anchor="end" fill="#555">` +
        `params ${layer.countParams().toLocaleString("en-US")}</text>`,
      `<text x="${boxX + 12}" y="${y + 48}" font-size="13">input ${
        escapeXml(shapeText(inputShape(layer)))
      }` +
        `  →  output ${escapeXml(shapeText(layer.outputShape))}</text>`,
    );
    if (i > 0) {
      const x = DIAGRAM_WIDTH / 2, top = y - DIAGRAM_GAP, tip = y - 2;
      parts.push(
        `<line x1="${x}" y1="${top + 2}" x2="${x}" y2="${
          tip - 8
        }" stroke="#34618f" stroke-width="2"/>`,
        `<polygon points="${x - 6},${tip - 9} ${x + 6},${tip - 9} ${x},${tip}" fill="#34618f"/>`,
      );
    }
  });
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${DIAGRAM_WIDTH}" height="${height}" ` +
    `font-family="DejaVu Sans, sans-serif"><rect width="100%" height="100%" fill="white"/>` +
    `${parts.join("")}</svg>`;
  return await svgToPng(svg);
}

/** Height in pixels of the diagram of a model with `layerCount` layers. */
export function diagramHeight(layerCount: number): number {
  return 2 * DIAGRAM_MARGIN + TITLE_BAND + layerCount * DIAGRAM_BOX_HEIGHT +
    Math.max(0, layerCount - 1) * DIAGRAM_GAP;
}
