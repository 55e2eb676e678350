import { Buffer } from "node:buffer";
import sharp from "sharp";
import { IMAGE_PIXELS, IMAGE_SIZE } from "../data/types.ts";
import { escapeXml } from "./_raster.ts";

/** Each digit is drawn at 28 × 3 = 84 px. */
export const DIGIT_SCALE = 3;
/** Width of one grid cell in pixels: the 84 px digit plus 8 px margin. */
export const GRID_CELL_WIDTH: number = IMAGE_SIZE * DIGIT_SCALE + 8;
/** Height of one grid cell in pixels: margin, the 84 px digit and a 22 px label band. */
export const GRID_CELL_HEIGHT: number = IMAGE_SIZE * DIGIT_SCALE + 8 + 22;
/** Height of the title band when a title is given. */
export const GRID_TITLE_HEIGHT = 36;

/** Options of {@linkcode renderDigitGrid}. */
export interface DigitGridOptions {
  /** Rows of the grid. */
  rows: number;
  /** Columns of the grid. */
  cols: number;
  /** True class of each image, written under it. @default undefined (no labels) */
  labels?: ArrayLike<number>;
  /** Predicted class of each image: shown instead, green when it equals the label, red when not. @default undefined */
  predictions?: ArrayLike<number>;
  /** Title drawn above the grid. @default undefined (no title band) */
  title?: string;
}

/**
 * Draws the first `rows × cols` digits of `images` (`[n, 28, 28]`, 0-255, ink = 255) as dark ink
 * on white (cells past the last digit stay blank), each with its label (or prediction) underneath. The PNG is
 * `cols × GRID_CELL_WIDTH` wide and `rows × GRID_CELL_HEIGHT (+ GRID_TITLE_HEIGHT with a title)` high.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const png = await renderDigitGrid(new Uint8Array(4 * 784), { rows: 2, cols: 2, labels: [1, 2, 3, 4] });
 * assert.equal(png[1], 0x50);
 * ```
 */
export async function renderDigitGrid(
  images: Uint8Array,
  options: DigitGridOptions,
): Promise<Uint8Array> {
  const { rows, cols, labels, predictions, title } = options;
  const cells = rows * cols;
  if (!(Number.isInteger(rows) && Number.isInteger(cols) && rows > 0 && cols > 0)) {
    throw new RangeError(
      `Cannot draw a digit grid: expected positive integer rows and cols, found ${rows}×${cols}`,
    );
  }
  if (images.length % IMAGE_PIXELS !== 0) {
    throw new RangeError(
      `Cannot draw a ${rows}×${cols} digit grid: expected a multiple of ${IMAGE_PIXELS} pixel bytes, found ${images.length}`,
    );
  }
  // Fewer digits than cells (a small validation set) leave the last cells blank.
  const drawn = Math.min(cells, images.length / IMAGE_PIXELS);
  const top = title ? GRID_TITLE_HEIGHT : 0;
  const width = cols * GRID_CELL_WIDTH;
  const height = rows * GRID_CELL_HEIGHT + top;
  const side = IMAGE_SIZE * DIGIT_SCALE;
  const canvas = new Uint8Array(width * height).fill(255); // grayscale, white paper
  for (let c = 0; c < drawn; c++) {
    const x0 = (c % cols) * GRID_CELL_WIDTH + 4;
    const y0 = Math.floor(c / cols) * GRID_CELL_HEIGHT + top + 4;
    for (let y = 0; y < side; y++) {
      const src = c * IMAGE_PIXELS + Math.floor(y / DIGIT_SCALE) * IMAGE_SIZE;
      const row = (y0 + y) * width + x0;
      for (let x = 0; x < side; x++) {
        canvas[row + x] = 255 - images[src + Math.floor(x / DIGIT_SCALE)];
      }
    }
  }
  const texts: string[] = [];
  if (title) {
    texts.push(
      `<text x="${width / 2}" y="25" text-anchor="middle" font-size="18" font-weight="bold">${
        escapeXml(title)
      }</text>`,
    );
  }
  for (let c = 0; c < drawn && (labels || predictions); c++) {
    const x = (c % cols) * GRID_CELL_WIDTH + GRID_CELL_WIDTH / 2;
    const y = Math.floor(c / cols) * GRID_CELL_HEIGHT + top + side + 24;
    let text = "", fill = "black";
    if (predictions) {
      text = String(predictions[c]);
      if (labels) fill = predictions[c] === labels[c] ? "#0a8a0a" : "#d01010";
      if (labels && predictions[c] !== labels[c]) text += ` (${labels[c]})`;
    } else if (labels) text = String(labels[c]);
    texts.push(
      `<text x="${x}" y="${y}" text-anchor="middle" font-size="16" font-weight="bold" fill="${fill}">${text}</text>`,
    );
  }
  const overlay = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
    `font-family="DejaVu Sans, sans-serif">${texts.join("")}</svg>`;
  const png = await sharp(canvas, { raw: { width, height, channels: 1 } })
    .toColourspace("srgb")
    .composite([{ input: Buffer.from(overlay), top: 0, left: 0 }])
    .png()
    .toBuffer();
  return new Uint8Array(png);
}
