import { chamferCost, resizeArea } from "./_filters.ts";
import type { Box } from "./types.ts";

/** MNIST's digits sit in a 20×20 box inside the 28×28 image. */
const BOX = 20;
const SIZE = 28;
/** Stroke width, in pixels of the 20×20 box, that MNIST's pen draws (about 2-3 px). */
const TARGET_STROKE = 2.4;

/**
 * Brings the stroke width near MNIST's: thin strokes (a 1 px canvas line, a fine pen in a large
 * photo) are dilated, very bold ones eroded. Returns the new mask and its bounding box.
 */
export function normaliseStroke(
  mask: Uint8Array,
  w: number,
  h: number,
  box: Box,
  stroke: number,
): { mask: Uint8Array; box: Box } {
  const side = Math.max(box.width, box.height);
  const wanted = (TARGET_STROKE * side) / BOX;
  let radius = 0;
  // Capped, so that a hollow outline (a double-lined pen) does not fill its loops.
  if (stroke < 0.8 * wanted) radius = Math.round(Math.min((wanted - stroke) / 2, 0.04 * side));
  else if (stroke > 2 * wanted) {
    radius = -Math.floor(Math.min(stroke - 1.5 * wanted, stroke / 2) / 2);
  }
  if (radius === 0) return { mask, box };
  // Round pens: grow or shrink by a disc (distance to the ink, or to the paper). Only the box and
  // a margin can change: the distances there are the same in a crop as in the whole image, since
  // all the ink lies in the box and the paper nearest to any of it lies at most 1 px outside.
  const margin = radius > 0 ? radius + 1 : 1;
  const cx0 = Math.max(0, box.x - margin);
  const cy0 = Math.max(0, box.y - margin);
  const cw = Math.min(w, box.x + box.width + margin) - cx0;
  const ch = Math.min(h, box.y + box.height + margin) - cy0;
  const crop = new Uint8Array(cw * ch);
  for (let y = 0; y < ch; y++) {
    crop.set(mask.subarray((cy0 + y) * w + cx0, (cy0 + y) * w + cx0 + cw), y * cw);
  }
  const cost = chamferCost(crop, cw, ch, radius > 0 ? 1 : 0); // 3 × the distance
  const limit = 3 * Math.abs(radius);
  const out = new Uint8Array(mask.length);
  let [x0, y0, x1, y1] = [w, h, -1, -1];
  for (let y = 0; y < ch; y++) {
    for (let x = 0, i = y * cw; x < cw; x++, i++) {
      if (radius > 0 ? cost[i] > limit : cost[i] <= limit) continue;
      out[(cy0 + y) * w + cx0 + x] = 1;
      if (x < x0) x0 = x;
      if (y < y0) y0 = y;
      if (x > x1) x1 = x;
      if (y > y1) y1 = y;
    }
  }
  if (x1 < 0) return { mask, box }; // eroded away: keep the original
  const grown = { x: cx0 + x0, y: cy0 + y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
  return { mask: out, box: grown };
}

/**
 * Fits the box's ink into 20×20 keeping its aspect (area averaging gives MNIST's soft edges) and
 * places it in 28×28 so that its centre of mass is at the centre.
 */
export function renderMnist(mask: Uint8Array, w: number, _h: number, box: Box): Float32Array {
  const crop = new Float32Array(box.width * box.height);
  for (let y = 0; y < box.height; y++) {
    for (let x = 0; x < box.width; x++) crop[y * box.width + x] = mask[(box.y + y) * w + box.x + x];
  }
  const scale = BOX / Math.max(box.width, box.height);
  const dw = Math.max(1, Math.round(box.width * scale));
  const dh = Math.max(1, Math.round(box.height * scale));
  const small = resizeArea(crop, box.width, box.height, dw, dh);
  let peak = 0;
  for (const v of small) peak = Math.max(peak, v);
  let sum = 0;
  let sx = 0;
  let sy = 0;
  for (let y = 0; y < dh; y++) {
    for (let x = 0; x < dw; x++) {
      const v = small[y * dw + x] / (peak || 1);
      small[y * dw + x] = v;
      sum += v;
      sx += v * x;
      sy += v * y;
    }
  }
  const cx = sum > 0 ? sx / sum : (dw - 1) / 2;
  const cy = sum > 0 ? sy / sum : (dh - 1) / 2;
  const ox = Math.min(SIZE - dw, Math.max(0, Math.round(SIZE / 2 - 0.5 - cx)));
  const oy = Math.min(SIZE - dh, Math.max(0, Math.round(SIZE / 2 - 0.5 - cy)));
  const out = new Float32Array(SIZE * SIZE);
  for (let y = 0; y < dh; y++) {
    for (let x = 0; x < dw; x++) out[(oy + y) * SIZE + ox + x] = small[y * dw + x];
  }
  return out;
}
