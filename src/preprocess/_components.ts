import { extremeFilter, floodStack } from "./_filters.ts";
import type { Box, InkStats } from "./types.ts";

/** One 8-connected component of the ink mask. */
export interface Component {
  label: number;
  area: number;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  touchesBorder: boolean;
}

/** The ink picked as the digit. */
export interface DigitPick {
  /** 1 where a pixel belongs to the digit. */
  mask: Uint8Array;
  /** Its bounding box. */
  box: Box;
  /** Shape statistics. */
  stats: InkStats;
}

/**
 * Clears ruled lines, page edges and canvas borders: runs of ink across at least 90 % of the
 * image, in bands no thicker than 4 % of it (a digit's own bar in a tight crop is as thick as its
 * other strokes, and rarely spans the whole width). Vertical runs must also lie near the left or
 * right edge, so that a tall "1" is never taken for one. Returns the cleared mask and how many
 * ink pixels it cleared (0: `mask` is a copy of the input, pixel for pixel); writes into `into`
 * (as long as `mask`) when given.
 */
export function clearLines(
  mask: Uint8Array,
  w: number,
  h: number,
  into?: Uint8Array,
): { mask: Uint8Array; cleared: number } {
  const out = into ?? new Uint8Array(mask.length);
  out.set(mask);
  // Rows: the mask's rows. Columns near the left and right edges: gathered into a row first.
  const rows = clearLongRuns(mask, out, h, w, (y) => y * w, 1, () => true);
  const cols = clearLongRuns(mask, out, w, h, (x) => x, w, (x) => x < 0.1 * w || x > 0.9 * w);
  return { mask: out, cleared: rows + cols };
}

/**
 * Clears, in `out`, runs of ink across at least 90 % of a line, in bands of such lines no thicker
 * than 4 % of the line count. Line `l` starts at `start(l)` and steps by `step`. Returns how many
 * pixels of runs it cleared (each was ink in `mask`).
 */
function clearLongRuns(
  mask: Uint8Array,
  out: Uint8Array,
  count: number,
  length: number,
  start: (line: number) => number,
  step: number,
  allowed: (line: number) => boolean,
): number {
  const runs: Array<Array<[number, number]>> = [];
  const minRun = 0.9 * length;
  // A run of 90 % of a line starts in its first tenth and ends in its last, so (for lines of two
  // pixels or more) it holds the middle pixel: a line without ink there has none.
  const middle = length >= 2 ? Math.floor(length / 2) * step : -1;
  for (let line = 0; line < count; line++) {
    const long: Array<[number, number]> = [];
    runs.push(long);
    if (!allowed(line)) continue;
    const at = start(line);
    if (middle >= 0 && mask[at + middle] !== 1) continue;
    let run = -1;
    for (let i = 0, p = at; i <= length; i++, p += step) {
      const on = i < length && mask[p] === 1;
      if (on && run < 0) run = i;
      if (!on && run >= 0) {
        if (i - run >= minRun) long.push([run, i]);
        run = -1;
      }
    }
  }
  const thickest = Math.max(3, Math.round(0.04 * count));
  let cleared = 0;
  for (let line = 0; line < count;) {
    if (runs[line].length === 0) {
      line++;
      continue;
    }
    let end = line;
    while (end < count && runs[end].length > 0) end++;
    if (end - line <= thickest) {
      for (let l = line; l < end; l++) {
        const at = start(l);
        for (const [a, b] of runs[l]) {
          for (let i = a; i < b; i++) out[at + i * step] = 0;
          cleared += b - a;
        }
      }
    }
    line = end;
  }
  return cleared;
}

/**
 * Clears what lies around the sheet: a table or a dark background seen past the paper's edge.
 * Those regions are thick (they survive an opening 4 % of the image wide, which removes pen
 * strokes) and run along a fifth of the image's border or more; a digit touching the border in a
 * tight crop does neither.
 */
export function removeSurroundings(mask: Uint8Array, w: number, h: number): Uint8Array {
  const perimeter = 2 * (w + h) - 4;
  let onBorder = 0;
  for (let x = 0; x < w; x++) onBorder += mask[x] + mask[(h - 1) * w + x];
  for (let y = 1; y < h - 1; y++) onBorder += mask[y * w] + mask[y * w + w - 1];
  if (onBorder < 0.2 * perimeter) return mask; // nothing runs along the border: the usual case
  const r = Math.max(2, Math.round(0.04 * Math.max(w, h)));
  const opened = extremeFilter(extremeFilter(mask, w, h, r, false), w, h, r, true);
  const thick = Uint8Array.from(opened, (v) => (v > 0.5 ? 1 : 0));
  const [labels, regions] = label(thick, w, h);
  const along = new Map<number, number>();
  for (let x = 0; x < w; x++) {
    for (const y of [0, h - 1]) {
      const l = labels[y * w + x];
      if (l) along.set(l, (along.get(l) ?? 0) + 1);
    }
  }
  for (let y = 1; y < h - 1; y++) {
    for (const x of [0, w - 1]) {
      const l = labels[y * w + x];
      if (l) along.set(l, (along.get(l) ?? 0) + 1);
    }
  }
  const outside = new Set(
    regions.filter((c) => (along.get(c.label) ?? 0) >= 0.2 * perimeter)
      .map((c) => c.label),
  );
  if (outside.size === 0) return mask;
  // Grow the regions a little, to take the ragged rim of the paper's edge with them.
  const region = Uint8Array.from(labels, (l) => (outside.has(l) ? 1 : 0));
  const grown = extremeFilter(region, w, h, Math.max(1, Math.round(r / 4)), true);
  return Uint8Array.from(mask, (v, i) => (grown[i] > 0.5 ? 0 : v));
}

/** Labels 8-connected components; returns the label plane (0 = none) and the components. */
export function label(mask: Uint8Array, w: number, h: number): [Int32Array, Component[]] {
  const labels = new Int32Array(mask.length);
  const components: Component[] = [];
  const stack = floodStack(mask.length); // each pixel is pushed at most once
  for (let i = 0; i < mask.length; i++) {
    if (mask[i] === 0 || labels[i] !== 0) continue;
    const id = components.length + 1;
    let [area, x0, y0, x1, y1, touchesBorder] = [0, w, h, 0, 0, false];
    labels[i] = id;
    let top = 0;
    stack[top++] = i;
    while (top > 0) {
      const p = stack[--top];
      const y = (p / w) | 0; // exact: p and w are whole numbers under 2³¹
      const x = p - y * w;
      area++;
      if (x < x0) x0 = x;
      if (y < y0) y0 = y;
      if (x > x1) x1 = x;
      if (y > y1) y1 = y;
      if (x === 0 || y === 0 || x === w - 1 || y === h - 1) touchesBorder = true;
      const nx0 = x > 0 ? x - 1 : 0;
      const nx1 = x < w - 1 ? x + 1 : w - 1;
      const ny1 = y < h - 1 ? y + 1 : h - 1;
      for (let ny = y > 0 ? y - 1 : 0; ny <= ny1; ny++) {
        for (let q = ny * w + nx0, end = ny * w + nx1; q <= end; q++) {
          if (mask[q] === 1 && labels[q] === 0) {
            labels[q] = id;
            stack[top++] = q;
          }
        }
      }
    }
    components.push({ label: id, area, x0, y0, x1, y1, touchesBorder });
  }
  return [labels, components];
}

/** Distance between two boxes (0 when they overlap). */
function gap(a: Component, b: Component): number {
  const dx = Math.max(0, Math.max(a.x0, b.x0) - Math.min(a.x1, b.x1));
  const dy = Math.max(0, Math.max(a.y0, b.y0) - Math.min(a.y1, b.y1));
  return Math.hypot(dx, dy);
}

/** How likely a component is the digit: its size, favouring the centre and the inside. */
function score(c: Component, w: number, h: number): number {
  const cx = (c.x0 + c.x1) / 2 / w - 0.5;
  const cy = (c.y0 + c.y1) / 2 / h - 0.5;
  const central = 1 - Math.min(0.8, Math.hypot(cx, cy));
  const spansEdge = c.touchesBorder && (c.x1 - c.x0 > 0.9 * w || c.y1 - c.y0 > 0.9 * h);
  return c.area * central * (spansEdge ? 0.05 : c.touchesBorder ? 0.4 : 1);
}

/**
 * Picks the digit: the best-scoring component, then the fragments near it (a detached bar of a
 * 5, a broken stroke), largest first, while they stay close to the growing box. Specks smaller
 * than 3 % of the digit are left out. Returns `null` when there is no ink.
 */
export function pickDigit(
  mask: Uint8Array,
  ink: Float32Array,
  w: number,
  h: number,
  labelled: [Int32Array, Component[]] = label(mask, w, h),
): DigitPick | null {
  const [labels, all] = labelled;
  // Long horizontal strokes are ruled lines or page edges that survived line removal.
  const components = all.filter((c) => {
    const cw = c.x1 - c.x0 + 1;
    return !(cw > 6 * (c.y1 - c.y0 + 1) && cw > 0.6 * w);
  });
  if (components.length === 0) return null;
  const ranked = components.slice().sort((a, b) => score(b, w, h) - score(a, w, h));
  const main = ranked[0];
  const merged: Component = { ...main };
  const chosen = new Set<number>([main.label]);
  const candidates = components
    .filter((c) => c !== main && c.area >= Math.max(2, 0.03 * main.area))
    .sort((a, b) => b.area - a.area);
  for (let grew = true; grew;) {
    grew = false;
    for (const c of candidates) {
      if (chosen.has(c.label)) continue;
      const side = Math.max(merged.x1 - merged.x0, merged.y1 - merged.y0) + 1;
      // Small fragments must be close; marks at the image's edge join only when large.
      const small = c.area < 0.1 * merged.area;
      if (gap(merged, c) > (small ? 0.1 : 0.2) * side) continue;
      if (c.touchesBorder && !main.touchesBorder && c.area < 0.3 * merged.area) continue;
      const nx0 = Math.min(merged.x0, c.x0);
      const ny0 = Math.min(merged.y0, c.y0);
      const nx1 = Math.max(merged.x1, c.x1);
      const ny1 = Math.max(merged.y1, c.y1);
      if (Math.max(nx1 - nx0, ny1 - ny0) + 1 > 1.6 * side) continue;
      Object.assign(merged, { x0: nx0, y0: ny0, x1: nx1, y1: ny1, area: merged.area + c.area });
      chosen.add(c.label);
      grew = true;
    }
  }
  const isChosen = new Uint8Array(all.length + 1); // by label, for the per-pixel loop
  for (const l of chosen) isChosen[l] = 1;
  const out = new Uint8Array(mask.length);
  let boundary = 0;
  let contrast = 0;
  for (let i = 0; i < mask.length; i++) {
    if (isChosen[labels[i]] === 0) continue;
    out[i] = 1;
    contrast += ink[i];
  }
  for (let y = merged.y0; y <= merged.y1; y++) {
    for (let x = merged.x0; x <= merged.x1; x++) {
      const i = y * w + x;
      if (out[i] === 0) continue;
      const edge = x === 0 || y === 0 || x === w - 1 || y === h - 1 || out[i - 1] === 0 ||
        out[i + 1] === 0 || out[i - w] === 0 || out[i + w] === 0;
      if (edge) boundary++;
    }
  }
  const box: Box = {
    x: merged.x0,
    y: merged.y0,
    width: merged.x1 - merged.x0 + 1,
    height: merged.y1 - merged.y0 + 1,
  };
  let inkTotal = 0;
  for (const c of all) inkTotal += c.area;
  const stroke = Math.max(1, (2 * merged.area) / Math.max(1, boundary));
  return {
    mask: out,
    box,
    stats: {
      inkFraction: inkTotal / (w * h),
      fill: merged.area / (box.width * box.height),
      strokeRatio: stroke / Math.max(box.width, box.height),
      clutter: components.filter((c) => !chosen.has(c.label) && c.area >= 0.1 * merged.area)
        .length,
      parts: chosen.size,
      contrast: contrast / merged.area,
    },
  };
}
