import type { GrayImage } from "./_decode.ts";
import { clearLines, type Component, label, removeSurroundings } from "./_components.ts";
import { histogramQuantile } from "./_filters.ts";
import { inkInto, thresholdInk } from "./_ink.ts";
import { knownInkSteps } from "./_ink_steps.ts";
import { releaseScratch, spare } from "./_spare.ts";
import { normaliseStroke, renderMnist } from "./_render.ts";
import type { Box } from "./types.ts";

/** Ink components read together as one or more digits (a digit and its broken-off strokes). */
export interface Glyph {
  /** Left column (working pixels, inclusive). */
  x0: number;
  /** Top row (inclusive). */
  y0: number;
  /** Right column (inclusive). */
  x1: number;
  /** Bottom row (inclusive). */
  y1: number;
  /** Labels of its components in {@linkcode Segmentation.labels}. */
  labels: number[];
  /** Ink pixels. */
  area: number;
}

/** The ink of one line of handwriting, split into glyphs left to right. */
export interface Segmentation {
  /** Working image width. */
  width: number;
  /** Working image height. */
  height: number;
  /** Original pixels per working pixel (to report boxes in the original image). */
  scale: number;
  /** Component label of each working pixel (0 = paper). */
  labels: Int32Array;
  /** Glyphs on the line, left to right (empty when refused). */
  glyphs: Glyph[];
  /** Typical digit height on the line, in working pixels. */
  lineHeight: number;
  /** Why nothing can be read, when `glyphs` is empty. */
  reason?: string;
}

/** Most pieces of ink looked at; more is a texture or noise, not a number. */
const MAX_PIECES = 4000;
/** Pieces fainter than this mean contrast are paper texture (as in the single-digit pipeline). */
const MIN_CONTRAST = 0.15;
/** Most digit-sized marks on one line (a 40-digit number fits). */
const MAX_GLYPHS = 60;

const widthOf = (c: { x0: number; x1: number }) => c.x1 - c.x0 + 1;
const heightOf = (c: { y0: number; y1: number }) => c.y1 - c.y0 + 1;

function overlap(a0: number, a1: number, b0: number, b1: number): number {
  return Math.max(0, Math.min(a1, b1) - Math.max(a0, b0) + 1);
}

function median(values: number[]): number {
  const s = values.slice().sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[Math.floor(s.length / 2)];
}

/**
 * Groups pieces that lie on one line (vertical overlap, bounded horizontal gap; or stacked and
 * nearly touching), by union-find.
 */
function linesOf(pieces: Component[], refHeight: number): Component[][] {
  const parent = pieces.map((_, i) => i);
  const find = (i: number): number => parent[i] === i ? i : (parent[i] = find(parent[i]));
  const byX = pieces.map((_, i) => i).sort((a, b) => pieces[a].x0 - pieces[b].x0);
  for (let s = 0; s < byX.length; s++) {
    const a = pieces[byX[s]];
    for (let t = s + 1; t < byX.length; t++) {
      const b = pieces[byX[t]];
      if (b.x0 - a.x1 > 3 * refHeight) break; // sorted by x0: the rest are farther
      const v = overlap(a.y0, a.y1, b.y0, b.y1);
      // Or one above the other, nearly touching: a digit cut in two by a cleared ruled line.
      const stacked = overlap(a.x0, a.x1, b.x0, b.x1) >= 0.5 * Math.min(widthOf(a), widthOf(b)) &&
        Math.max(a.y0, b.y0) - Math.min(a.y1, b.y1) <= 0.15 * refHeight;
      if (v >= 0.3 * Math.min(heightOf(a), heightOf(b)) || stacked) {
        parent[find(byX[s])] = find(byX[t]);
      }
    }
  }
  const groups = new Map<number, Component[]>();
  for (const [i, p] of pieces.entries()) {
    const root = find(i);
    groups.set(root, [...(groups.get(root) ?? []), p]);
  }
  return [...groups.values()];
}

/** Merges the pieces of a line into glyphs: pieces that overlap horizontally by half belong together. */
function glyphsOf(line: Component[], specks: Component[], refHeight: number): Glyph[] {
  const parent = line.map((_, i) => i);
  const find = (i: number): number => parent[i] === i ? i : (parent[i] = find(parent[i]));
  for (let i = 0; i < line.length; i++) {
    for (let j = i + 1; j < line.length; j++) {
      const [a, b] = [line[i], line[j]];
      if (overlap(a.x0, a.x1, b.x0, b.x1) >= 0.5 * Math.min(widthOf(a), widthOf(b))) {
        parent[find(i)] = find(j);
      }
    }
  }
  const byRoot = new Map<number, Glyph>();
  for (const [i, p] of line.entries()) {
    const g = byRoot.get(find(i));
    if (g === undefined) {
      byRoot.set(find(i), {
        x0: p.x0,
        y0: p.y0,
        x1: p.x1,
        y1: p.y1,
        labels: [p.label],
        area: p.area,
      });
      continue;
    }
    Object.assign(g, {
      x0: Math.min(g.x0, p.x0),
      y0: Math.min(g.y0, p.y0),
      x1: Math.max(g.x1, p.x1),
      y1: Math.max(g.y1, p.y1),
      area: g.area + p.area,
    });
    g.labels.push(p.label);
  }
  const glyphs = [...byRoot.values()].sort((a, b) => a.x0 + a.x1 - b.x0 - b.x1);
  // Small fragments (a 5's cap, a broken stroke) join the glyph they sit over or under.
  for (const s of specks) {
    for (const g of glyphs) {
      const o = overlap(g.x0, g.x1, s.x0, s.x1);
      const dy = Math.max(0, Math.max(g.y0, s.y0) - Math.min(g.y1, s.y1));
      if (o >= 0.5 * widthOf(s) && dy <= 0.2 * refHeight) {
        Object.assign(g, {
          y0: Math.min(g.y0, s.y0),
          y1: Math.max(g.y1, s.y1),
          area: g.area + s.area,
        });
        g.labels.push(s.label);
        break;
      }
    }
  }
  return glyphs;
}

/**
 * `glyphs` less the separators between digits (a dot or a comma at the line's foot, or a dash in its
 * middle, under 45 % of the line's height and 60 % of it wide) and the filler dashes at either end of
 * the line: the stroke that closes an amount on a
 * cheque or a form ("1570—", "—97—"), flat, under 40 % of the line's height and a quarter of it long
 * or more, in the middle of the line's height (not on its top, where a 7's or 5's broken-off bar
 * sits, nor on its foot, where a 2's base runs). A dash apart from the digits is dropped; one that
 * runs on from the last digit's ink is cut off where the columns of ink grow taller than a pen's
 * stroke, when what is left is as wide as a digit other than 1 (a 4's or a 7's bar may reach far
 * past its stem; for the same reason, never at the first digit). Read as part of a digit, a dash
 * would make the whole number a refusal.
 */
function withoutFillers(
  glyphs: Glyph[],
  lineHeight: number,
  labels: Int32Array,
  width: number,
): Glyph[] {
  if (glyphs.length < 2) return glyphs;
  const top = median(glyphs.map((g) => g.y0));
  const bottom = median(glyphs.map((g) => g.y1));
  const inBand = (y0: number, y1: number) =>
    y1 - y0 + 1 < 0.4 * lineHeight && (y0 + y1) / 2 >= top + 0.2 * (bottom - top) &&
    (y0 + y1) / 2 <= bottom - 0.1 * (bottom - top);
  const filler = (g: Glyph) =>
    inBand(g.y0, g.y1) && widthOf(g) >= 1.5 * heightOf(g) && widthOf(g) >= 0.25 * lineHeight;
  let [from, to] = [0, glyphs.length];
  while (to - from > 1 && filler(glyphs[to - 1])) to--;
  while (to - from > 1 && filler(glyphs[from])) from++;
  // Between digits: a separator (a thousands separator or a decimal point, a dot or a comma at the
  // line's foot; a dash between groups), small beside the digits.
  const separator = (g: Glyph) =>
    heightOf(g) < 0.45 * lineHeight && widthOf(g) < 0.6 * lineHeight &&
    (g.y0 >= top + 0.45 * (bottom - top) ||
      (inBand(g.y0, g.y1) && widthOf(g) >= 1.5 * heightOf(g)));
  const kept = glyphs.slice(from, to).filter((g, i, all) =>
    i === 0 || i === all.length - 1 || !separator(g)
  );
  if (kept.length < 2) return kept;
  /** How many columns at the glyph's right end are a thin dash. */
  const tail = (g: Glyph): number => {
    const own = new Set(g.labels);
    let n = 0;
    for (let x = g.x1; x >= g.x0; x--, n++) {
      let [y0, y1] = [Infinity, -Infinity];
      for (let y = g.y0; y <= g.y1; y++) {
        if (own.has(labels[y * width + x])) [y0, y1] = [Math.min(y0, y), Math.max(y1, y)];
      }
      if (y1 < y0 || !inBand(y0, y1)) break;
    }
    return n;
  };
  const last = kept[kept.length - 1];
  const right = tail(last);
  if (right >= 0.4 * lineHeight && widthOf(last) - right >= 0.35 * lineHeight) {
    kept[kept.length - 1] = { ...last, x1: last.x1 - right };
  }
  return kept;
}

/** How small the digits may be: below both, the marks are specks. */
export interface SmallDigits {
  /** Least typical mark height as a share of the image's short side. @default {0.05} */
  share?: number;
  /** Least typical mark height in pixels. @default {6} */
  pixels?: number;
  /**
   * Keep only the largest writing: on a page, printed text (smaller, and often more marks than the
   * number) would otherwise set the typical height. @default {false}
   */
  largest?: boolean;
}

/**
 * The pieces of the lines of the largest writing: the pieces grouped into lines (at the height
 * of the typical piece of some weight), and the lines whose typical piece is at least
 * `LARGEST_SHARE` as tall as the tallest line's.
 */
function largestWriting(pieces: Component[]): Component[] {
  const maxArea = Math.max(...pieces.map((c) => c.area));
  const guess = median(pieces.filter((c) => c.area >= 0.15 * maxArea).map(heightOf));
  const lines = linesOf(pieces, Math.max(1, guess)).map((line) => ({
    line,
    height: median(line.filter((c) => heightOf(c) >= 0.3 * guess).map(heightOf)),
  }));
  const tallest = Math.max(...lines.map((l) => l.height));
  return lines.filter((l) => l.height >= LARGEST_SHARE * tallest).flatMap((l) => l.line);
}

/** A line of writing at least this share of the tallest line's height is as large. */
const LARGEST_SHARE = 0.6;

/** Thickest ruled line bridged, in pixels. */
const MAX_LINE = 4;

/**
 * Puts back the pixels of a cleared ruled line where a stroke crosses it (ink just above and just
 * below in the same column), so that a digit written across a line stays one piece.
 */
function healStrokes(raw: Uint8Array, lined: Uint8Array, w: number, h: number): Uint8Array {
  const out = lined.slice();
  for (let y = 1; y < h - 1; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (raw[i] === 0 || lined[i] === 1) continue;
      let up = false;
      let down = false;
      for (let d = 1; d <= MAX_LINE + 1 && !(up && down); d++) {
        if (y - d >= 0 && lined[i - d * w] === 1) up = true;
        if (y + d < h && lined[i + d * w] === 1) down = true;
      }
      if (up && down) out[i] = 1;
    }
  }
  return out;
}

/**
 * The lines of a grid along one axis: groups of at most `MAX_LINE` + 2 neighbouring lines (rows or
 * columns) each with ink (within one line either side) along 60 % of its length or more. `at(i, t)`
 * reads pixel `t` of line `i` of `count`, each `length` long.
 */
function gridLines(
  count: number,
  length: number,
  at: (i: number, t: number) => number,
): Array<[number, number]> {
  const full = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    let cover = 0;
    for (let t = 0; t < length; t++) {
      if (at(i, t) || (i > 0 && at(i - 1, t)) || (i + 1 < count && at(i + 1, t))) cover++;
    }
    full[i] = cover >= 0.6 * length ? 1 : 0;
  }
  const lines: Array<[number, number]> = [];
  for (let i = 0; i < count; i++) {
    if (full[i] === 0) continue;
    let end = i;
    while (end + 1 < count && full[end + 1] === 1) end++;
    if (end - i + 1 <= MAX_LINE + 2) lines.push([i, end]);
    i = end;
  }
  return lines;
}

/** The longest run of `lines` (sorted) whose neighbours are `cell` apart, within a quarter. */
function latticeOf(lines: Array<[number, number]>, cell: number): Array<[number, number]> {
  let best: Array<[number, number]> = [];
  for (let i = 0; i < lines.length; i++) {
    const chain = [lines[i]];
    for (let j = i + 1; j < lines.length; j++) {
      const gap = lines[j][0] - chain[chain.length - 1][0];
      if (gap > 1.25 * cell) break;
      if (gap >= 0.75 * cell) chain.push(lines[j]);
    }
    if (chain.length > best.length) best = chain;
  }
  return best;
}

/**
 * Squared paper: `mask` less the lines of a grid, or `null` when there is no grid. A grid is three
 * columns or more and three rows or more of thin lines across 60 % of the image or more (faint
 * printed lines break up when thresholded), a cell apart and as far apart across as down (within a
 * quarter; lines off that lattice, such as a 1 standing between two of its lines, are left alone),
 * so that tall upright strokes (1s in a tight crop) or a form's two rules are not taken for one.
 * What is much darker than the lines' typical ink stays (a pen stroke running along a line), and so
 * does a pixel with ink on both sides of its line (a stroke crossing it).
 */
function clearGrid(
  raw: Uint8Array,
  mask: Uint8Array,
  ink: Float32Array,
  w: number,
  h: number,
): Uint8Array | null {
  const allColumns = gridLines(w, h, (x, y) => raw[y * w + x]);
  if (allColumns.length < 3) return null;
  const allRows = gridLines(h, w, (y, x) => raw[y * w + x]);
  if (allRows.length < 2) return null;
  // Squares: the lines a cell apart, as far apart across as down. Tall strokes of the digits
  // (a 1 between two lines of the grid) may add lines off that lattice: for each spacing seen between
  // neighbouring lines, keep the longest chains of lines that spacing apart, and the spacing that
  // chains the most.
  const gaps = (lines: Array<[number, number]>) => lines.slice(1).map((l, i) => l[0] - lines[i][0]);
  let [columns, rows]: Array<Array<[number, number]>> = [[], []];
  for (const cell of [...gaps(allColumns), ...gaps(allRows)]) {
    const [across, down] = [latticeOf(allColumns, cell), latticeOf(allRows, cell)];
    if (
      across.length >= 3 && down.length >= 3 &&
      across.length + down.length > columns.length + rows.length
    ) {
      [columns, rows] = [across, down];
    }
  }
  if (columns.length === 0) return null;
  // Printed grid lines are fainter than a pen: what is much darker than the lines' typical ink,
  // on a line, is a stroke along it, and stays.
  // (The median, from a histogram of 256 steps: bounded whatever the image.)
  const steps = new Uint32Array(256);
  for (const [a, b] of columns) {
    for (let y = 0; y < h; y++) {
      for (let x = a; x <= b; x++) {
        if (raw[y * w + x] === 1) steps[Math.min(255, Math.round(ink[y * w + x] * 255))]++;
      }
    }
  }
  const faint = histogramQuantile(steps, 0.5) / 255;
  const out = mask.slice();
  const on = (x: number, y: number) => x >= 0 && y >= 0 && x < w && y < h && mask[y * w + x] === 1;
  const clear = (x: number, y: number, crossed: boolean) => {
    const i = y * w + x;
    if (!crossed && ink[i] < Math.max(1.5 * faint, faint + 0.15)) out[i] = 0;
  };
  for (const [a, b] of columns) {
    for (let y = 0; y < h; y++) {
      const crossed = (on(a - 2, y) || on(a - 3, y)) && (on(b + 2, y) || on(b + 3, y));
      for (let x = Math.max(0, a - 1); x <= Math.min(w - 1, b + 1); x++) clear(x, y, crossed);
    }
  }
  for (const [a, b] of rows) {
    for (let x = 0; x < w; x++) {
      const crossed = (on(x, a - 2) || on(x, a - 3)) && (on(x, b + 2) || on(x, b + 3));
      for (let y = Math.max(0, a - 1); y <= Math.min(h - 1, b + 1); y++) clear(x, y, crossed);
    }
  }
  return out;
}

/** `lined.mask` with the strokes across cleared lines healed (itself when none were cleared). */
const healed = (
  raw: Uint8Array,
  lined: { mask: Uint8Array; cleared: number },
  w: number,
  h: number,
): Uint8Array => lined.cleared === 0 ? lined.mask : healStrokes(raw, lined.mask, w, h);

const spareInk = spare((n) => new Float32Array(n));
const spareRaw = spare((n) => new Uint8Array(n));
const spareLined = spare((n) => new Uint8Array(n));

/**
 * Finds the digits of a number in a decoded image: the ink (as the single-digit pipeline finds
 * it: lighting evened out, hysteresis threshold, ruled lines and surroundings cleared), its
 * connected components, the one line they form, and the glyphs on that line left to right.
 * Refuses (empty `glyphs`, with a `reason`) when there is no ink, too much of it, or several
 * lines of marks of similar weight, or when the marks are smaller than `small` says (specks).
 */
export function segmentNumber(gray: GrayImage, small: SmallDigits = {}): Segmentation {
  try {
    return segmentLine(gray, small);
  } finally {
    // A page looked at again at up to 1,536 px needed scratch planes of its own: freed now.
    releaseScratch();
  }
}

/** {@linkcode segmentNumber}, before its scratch is released. */
function segmentLine(gray: GrayImage, small: SmallDigits): Segmentation {
  const { share = 0.05, pixels = 6 } = small;
  const { width: w, height: h } = gray;
  const scale = gray.originalWidth / w;
  // The ink and the masks before labelling are used here only (this runs without a pause):
  // buffers kept from the last call will do, each wholly written before it is read.
  // The single-digit pipeline may have found the first steps in these very pixels.
  const known = knownInkSteps(gray);
  const ink = known?.ink ?? inkInto(gray.data, w, h, spareInk(w * h).subarray(0, w * h));
  const raw = known?.raw ?? thresholdInk(ink, w, h, spareRaw(w * h).subarray(0, w * h));
  const lined = known?.lined ?? clearLines(raw, w, h, spareLined(w * h).subarray(0, w * h));
  // Healing only puts back cleared pixels: with none cleared, `lined.mask` is `raw` already.
  const strokes = healed(raw, lined, w, h);
  const grid = clearGrid(raw, strokes, ink, w, h);
  const [labels, all] = known !== undefined && lined.cleared === 0 && grid === null
    ? known.labelled()
    : label(removeSurroundings(grid ?? strokes, w, h), w, h);
  const base = { width: w, height: h, scale, labels, lineHeight: 0 };
  const refuse = (reason: string): Segmentation => ({ ...base, glyphs: [], reason });
  if (all.length > MAX_PIECES) {
    return refuse(`no digit found: the ink is in ${all.length} separate pieces (noise or texture)`);
  }
  // Mean contrast of each piece: paper grain that crossed the threshold is faint.
  const contrast = new Float64Array(all.length + 1);
  for (let i = 0; i < labels.length; i++) if (labels[i] !== 0) contrast[labels[i]] += ink[i];
  // Underlines, ruled lines that survived and page edges are long and flat: one stroke down almost
  // every column, even when slanting, or, drawn back under themselves, under half as tall as the
  // tallest other piece of weight (a number written in one movement is as long, but its digits
  // cross many columns twice or more, and it is the tallest writing there). (A digit in a tight
  // crop may touch the border and be as tall as the image, but is not that thin.)
  const long = (c: Component) => widthOf(c) > 5 * heightOf(c) && widthOf(c) > 0.3 * w;
  const several = all.some(long) ? severalRunColumns(labels, w, h, all.length) : null;
  // The two tallest pieces of weight: the tallest beside any piece is one of them.
  const [first, second] = several === null ? [] : tallestTwo(all);
  const tallestBeside = (c: Component) => {
    const other = c === first ? second : first;
    return other === undefined ? 0 : heightOf(other);
  };
  let pieces = all.filter((c) => {
    const flat = long(c) && (several![c.label] <= (1 - FLAT_COLUMNS) * widthOf(c) ||
      heightOf(c) < 0.5 * tallestBeside(c));
    const spans = c.touchesBorder && (
      (widthOf(c) > 0.9 * w && heightOf(c) < 0.15 * widthOf(c)) ||
      (heightOf(c) > 0.9 * h && widthOf(c) < 0.15 * heightOf(c))
    );
    return !flat && !spans && contrast[c.label] / c.area >= MIN_CONTRAST;
  });
  if (pieces.length === 0) return refuse("no digit found");
  if (small.largest === true) pieces = largestWriting(pieces);
  const maxArea = Math.max(...pieces.map((c) => c.area));
  const refHeight = median(pieces.filter((c) => c.area >= 0.15 * maxArea).map(heightOf));
  // Relative to the short side: a long strip of digits is as tall as its digits.
  if (refHeight < Math.max(pixels, share * Math.min(w, h))) {
    return refuse("no digit found: only specks of ink");
  }
  const isSpeck = (c: Component) => heightOf(c) < 0.3 * refHeight && c.area < 0.15 * maxArea;
  const main = pieces.filter((c) => !isSpeck(c));
  const specks = pieces.filter(isSpeck);
  if (main.length > MAX_GLYPHS * 3) {
    return refuse(`no digit found: ${main.length} separate marks`);
  }
  const lines = linesOf(main, refHeight)
    .map((line) => ({ line, area: line.reduce((n, c) => n + c.area, 0) }))
    .sort((a, b) => b.area - a.area);
  // A stray mark beside the number is not a second line; marks of similar weight are.
  if (lines.length > 1 && lines[1].area >= 0.25 * lines[0].area) {
    return refuse(`several lines of marks (${lines.length}): expected one number on one line`);
  }
  const line = lines[0].line;
  const lineHeight = median(line.map(heightOf));
  const glyphs = withoutFillers(
    glyphsOf(line, specks, lineHeight)
      .filter((g) => heightOf(g) >= 0.3 * lineHeight || g.area >= 0.15 * maxArea),
    lineHeight,
    labels,
    w,
  );
  if (glyphs.length > MAX_GLYPHS) {
    return refuse(`no number found: ${glyphs.length} marks on one line (at most ${MAX_GLYPHS})`);
  }
  return { ...base, glyphs, lineHeight };
}

/** A glyph's ink between two cuts, rendered as the model's input. */
export interface RenderedPart {
  /** 784 floats, MNIST-style. */
  input: Float32Array;
  /** The ink's box in the working image. */
  box: Box;
  /** Width over height of that box. */
  aspect: number;
}

/**
 * A path through a glyph from its top row to its bottom row, between two digits: on each row, the
 * first column on its right. It may bend around strokes, so that digits whose boxes overlap can
 * be cut apart without taking a piece of each other.
 */
export interface Cut {
  /** For each row of the glyph (from its top), the first column right of the cut. */
  at: Int32Array;
  /** Its mean column. */
  x: number;
  /** Stroke pixels it severs (ink on both of its sides, row by row), plus its bends. */
  cost: number;
}

/**
 * Renders the ink of `glyph` between the cuts `left` and `right` (`null`: the glyph's edge) as
 * MNIST renders a digit: a crop of that ink alone, its stroke brought near MNIST's, fitted into
 * 20×20 and centred by mass. Returns `null` when there is no ink between them.
 */
export function renderPart(
  seg: Segmentation,
  glyph: Glyph,
  left: Cut | null = null,
  right: Cut | null = null,
): RenderedPart | null {
  return renderParts(seg, glyph, left, right)?.part ?? null;
}

/** A part rendered as it is, and a way to render it without its connecting strokes. */
export interface PartRenders {
  /** The part with all its ink ({@linkcode renderPart}). */
  part: RenderedPart;
  /** The part without the connecting strokes at its cuts, or `null` when it has none. */
  trimmed: () => RenderedPart | null;
}

/**
 * {@linkcode renderPart}, and a function that renders the same part without the connecting strokes
 * left at its cuts (the pen's stroke between digits written in one movement): the columns at a cut
 * that hold one thin run of ink ({@linkcode TAIL_RUN} strokes or less, up to half the part's height
 * in from the cut; at the cut itself, below the top {@linkcode TAIL_LOW} of the part) are left out;
 * it returns `null` when there are none, or when less than {@linkcode TAIL_KEEP} of the part's
 * height would be left as its width. `null` when there is no ink.
 */
export function renderParts(
  seg: Segmentation,
  glyph: Glyph,
  left: Cut | null,
  right: Cut | null,
): PartRenders | null {
  const { width: w, labels } = seg;
  const own = new Set(glyph.labels);
  const a = left === null ? glyph.x0 : Math.max(glyph.x0, Math.min(...left.at));
  const b = right === null ? glyph.x1 : Math.min(glyph.x1, Math.max(...right.at) - 1);
  if (b < a) return null;
  const margin = Math.ceil(0.1 * Math.max(heightOf(glyph), b - a + 1)) + 2;
  const cx0 = Math.max(0, a - margin);
  const cy0 = Math.max(0, glyph.y0 - margin);
  const cw = Math.min(w, b + margin + 1) - cx0;
  const ch = Math.min(seg.height, glyph.y1 + margin + 1) - cy0;
  const crop = new Uint8Array(cw * ch);
  let [x0, y0, x1, y1, area] = [cw, ch, -1, -1, 0];
  for (let y = glyph.y0; y <= glyph.y1; y++) {
    const from = left === null ? a : Math.max(a, left.at[y - glyph.y0]);
    const to = right === null ? b : Math.min(b, right.at[y - glyph.y0] - 1);
    for (let x = from; x <= to; x++) {
      if (!own.has(labels[y * w + x])) continue;
      const cx = x - cx0;
      const cy = y - cy0;
      crop[cy * cw + cx] = 1;
      area++;
      if (cx < x0) x0 = cx;
      if (cy < y0) y0 = cy;
      if (cx > x1) x1 = cx;
      if (cy > y1) y1 = cy;
    }
  }
  if (area === 0) return null;
  const stroke = Math.max(1, meanStroke((i) => crop[i] === 1, cw, ch, { x0, y0, x1, y1 }));
  /** Renders the columns `from`-`to` of the crop's ink (the crop's rows `top`-`bottom`). */
  const render = (
    ink: Uint8Array,
    from: number,
    to: number,
    top: number,
    bottom: number,
  ): RenderedPart => {
    const box: Box = { x: from, y: top, width: to - from + 1, height: bottom - top + 1 };
    const normal = normaliseStroke(ink, cw, ch, box, stroke);
    return {
      input: renderMnist(normal.mask, cw, ch, normal.box),
      box: { x: cx0 + from, y: cy0 + top, width: box.width, height: box.height },
      aspect: box.width / box.height,
    };
  };
  const trimmed = (): RenderedPart | null => {
    const limit = Math.floor(0.5 * (y1 - y0 + 1));
    /** Whether column `x` is one thin run of ink (at the cut, `first`: below the top quarter). */
    const tail = (x: number, first: boolean): boolean => {
      let [runs, inRun, length, sum] = [0, false, 0, 0];
      for (let y = y0, i = y0 * cw + x; y <= y1; y++, i += cw) {
        const on = crop[i] === 1;
        if (on && !inRun) runs++;
        if (on) [length, sum] = [length + 1, sum + y];
        inRun = on;
      }
      // The connecting stroke leaves a digit's foot or middle; the arches of an "m" or an "n",
      // cut, leave it at the top.
      const low = !first || sum / Math.max(1, length) >= y0 + TAIL_LOW * (y1 - y0 + 1);
      return runs === 1 && length <= TAIL_RUN * stroke && low;
    };
    let [from, to] = [x0, x1];
    if (left !== null) { while (from < x1 && from - x0 < limit && tail(from, from === x0)) from++; }
    if (right !== null) { while (to > from && x1 - to < limit && tail(to, to === x1)) to--; }
    if ((from === x0 && to === x1) || to - from + 1 < TAIL_KEEP * (y1 - y0 + 1)) return null;

    const ink = new Uint8Array(cw * ch);
    let [top, bottom] = [ch, -1];
    for (let y = y0; y <= y1; y++) {
      const row = crop.subarray(y * cw + from, y * cw + to + 1);
      ink.set(row, y * cw + from);
      if (row.includes(1)) [top, bottom] = [Math.min(top, y), Math.max(bottom, y)];
    }
    // Two stubs trimmed apart with paper between them: nothing is left.
    if (bottom < 0) return null;
    return render(ink, from, to, top, bottom);
  };
  return { part: render(crop, x0, x1, y0, y1), trimmed };
}

/**
 * Mean stroke width of the ink in the columns `x0`-`x1` and rows `y0`-`y1` of a `w` × `h` plane
 * (`ink(i)`: whether pixel `i` is ink): twice its pixels over its edge pixels (those on the plane's
 * border or beside paper), which reads 2 for any stroke one or two pixels wide; 0 when there is no
 * ink.
 *
 * @example
 * ```ts
 * import { meanStroke } from "./_segment.ts";
 * import { equal } from "node:assert/strict";
 * // A bar 4 px wide and 10 px tall in a 10 × 10 plane: 40 pixels, 4 + 4 + 2 + 2 - 4 = 24 on edges.
 * const plane = new Uint8Array(100);
 * for (let y = 0; y < 10; y++) plane.fill(1, y * 10 + 3, y * 10 + 7);
 * equal(meanStroke((i) => plane[i] === 1, 10, 10, { x0: 0, y0: 0, x1: 9, y1: 9 }), 80 / 24);
 * ```
 */
export function meanStroke(
  ink: (i: number) => boolean,
  w: number,
  h: number,
  { x0, y0, x1, y1 }: { x0: number; y0: number; x1: number; y1: number },
): number {
  let [area, edge] = [0, 0];
  for (let y = y0; y <= y1; y++) {
    for (let x = x0, i = y * w + x0; x <= x1; x++, i++) {
      if (!ink(i)) continue;
      area++;
      const inside = x > 0 && y > 0 && x < w - 1 && y < h - 1 && ink(i - 1) && ink(i + 1) &&
        ink(i - w) && ink(i + w);
      if (!inside) edge++;
    }
  }
  return edge === 0 ? 0 : (2 * area) / edge;
}

/**
 * The tallest and the second tallest of `pieces` with at least 0.15 of the largest one's area (the
 * pieces of weight), in one pass.
 */
function tallestTwo(pieces: Component[]): [Component?, Component?] {
  let largest = 0;
  for (const c of pieces) largest = Math.max(largest, c.area);
  let [first, second]: [Component?, Component?] = [];
  for (const c of pieces) {
    if (c.area < 0.15 * largest) continue;
    if (first === undefined || heightOf(c) > heightOf(first)) [first, second] = [c, first];
    else if (second === undefined || heightOf(c) > heightOf(second)) second = c;
  }
  return [first, second];
}

/** A long piece with one run of ink down this share of its columns or more is a line. */
const FLAT_COLUMNS = 0.9;
/**
 * For each label of `labels` (`w` × `h`, labels 1…`count`), in how many columns it runs down twice
 * or more. One pass over the image, whatever its pieces.
 */
function severalRunColumns(labels: Int32Array, w: number, h: number, count: number): Int32Array {
  const several = new Int32Array(count + 1);
  const column = new Int32Array(count + 1).fill(-1); // the last column each label ran down
  const runs = new Int32Array(count + 1); // its runs there
  for (let x = 0; x < w; x++) {
    let label = 0;
    for (let y = 0, i = x; y < h; y++, i += w) {
      const l = labels[i];
      if (l === label) continue;
      if (l !== 0) {
        if (column[l] !== x) [column[l], runs[l]] = [x, 0];
        if (++runs[l] === 2) several[l]++;
      }
      label = l;
    }
  }
  return several;
}

/** Longest single run of ink in a column of a connecting stroke, in mean stroke widths. */
const TAIL_RUN = 1.6;
/** Where a connecting stroke may leave a cut at the highest, as a share of the part's height. */
const TAIL_LOW = 0.25;
/** Least width left of a part whose connecting strokes are trimmed, in its heights. */
const TAIL_KEEP = 0.35;

/** From this width (in line heights) a glyph surely holds several digits. */
const SEVERAL_DIGITS = 1.6;
/** How far a cut may stray from its starting column, in line heights. */
const CUT_BAND = 0.2;
/** Cost of each column a cut moves sideways (a severed stroke pixel costs 1). */
const BEND_COST = 0.1;

/** Ink pixels in each column of a `gw` × `gh` glyph mask, in an array of `length` (≥ `gw`). */
function columnInk(mask: Uint8Array, gw: number, gh: number, length: number): Float64Array {
  const column = new Float64Array(length);
  for (let r = 0; r < gh; r++) for (let x = 0; x < gw; x++) column[x] += mask[r * gw + x];
  return column;
}

/** The glyph's own ink as a mask of its box, one byte a pixel. */
function glyphMask(seg: Segmentation, glyph: Glyph): Uint8Array {
  const own = new Set(glyph.labels);
  const gw = widthOf(glyph);
  const mask = new Uint8Array(gw * heightOf(glyph));
  for (let y = glyph.y0; y <= glyph.y1; y++) {
    for (let x = glyph.x0; x <= glyph.x1; x++) {
      if (own.has(seg.labels[y * seg.width + x])) mask[(y - glyph.y0) * gw + x - glyph.x0] = 1;
    }
  }
  return mask;
}

/**
 * The cheapest cut from top to bottom that starts and stays within `band` columns of column `c`
 * (glyph coordinates, 1 … width − 1), moving at most one column a row: dynamic programming over
 * the rows, each step costing the stroke it severs (ink on both sides) and its bend.
 */
function cheapestCut(mask: Uint8Array, gw: number, gh: number, c: number, band: number): Cut {
  const lo = Math.max(1, c - band);
  const hi = Math.min(gw - 1, c + band);
  const n = hi - lo + 1;
  const severs = (r: number, x: number) => mask[r * gw + x - 1] & mask[r * gw + x];
  const parts = (r: number, x: number) => mask[(r - 1) * gw + x] & mask[r * gw + x];
  let cost = new Float64Array(n);
  let next = new Float64Array(n);
  const from = new Int8Array(gh * n);
  for (let k = 0; k < n; k++) cost[k] = severs(0, lo + k);
  for (let r = 1; r < gh; r++) {
    for (let k = 0; k < n; k++) {
      let best = cost[k];
      let step = 0;
      // Coming from the column to the left (right), the cut runs along the edge between two rows,
      // parting the pixel it passes from the one under it.
      const x = lo + k;
      const fromLeft = k > 0 ? cost[k - 1] + BEND_COST + parts(r, x - 1) : Infinity;
      const fromRight = k + 1 < n ? cost[k + 1] + BEND_COST + parts(r, x) : Infinity;
      if (fromLeft < best) [best, step] = [fromLeft, -1];
      if (fromRight < best) [best, step] = [fromRight, 1];
      next[k] = best + severs(r, lo + k);
      from[r * n + k] = step;
    }
    [cost, next] = [next, cost];
  }
  // The cheapest end; of equal ones, the nearest to `c`.
  let end = 0;
  for (let k = 1; k < n; k++) {
    const better = cost[k] < cost[end] - 1e-9 ||
      (Math.abs(cost[k] - cost[end]) <= 1e-9 && Math.abs(lo + k - c) < Math.abs(lo + end - c));
    if (better) end = k;
  }
  const at = new Int32Array(gh);
  let total = 0;
  for (let r = gh - 1, k = end; r >= 0; r--) {
    at[r] = lo + k;
    total += at[r];
    k += from[r * n + k];
  }
  return { at, x: total / gh, cost: cost[end] };
}

/**
 * Where a glyph may be cut into digits: for each starting column, the cheapest path from top to
 * bottom ({@linkcode CUT_BAND} line heights either side, bending around strokes); the columns
 * whose path severs less ink than its neighbours', cheapest first, at least a fifth of the line
 * height from the glyph's ends and from each other; at most `limit`, left to right. A glyph of
 * several digits ({@linkcode SEVERAL_DIGITS} line heights wide or more) also gets the other
 * columns, cheapest first, after those: where digits overlap, no path between them is cheaper
 * than its neighbours. A glyph narrower than `minWidth` × its height gets none. Coordinates are
 * the working image's.
 */
export function cutPaths(
  seg: Segmentation,
  glyph: Glyph,
  limit: number,
  minWidth = 0.8,
): Cut[] {
  const height = Math.max(heightOf(glyph), seg.lineHeight);
  const gw = widthOf(glyph);
  const gh = heightOf(glyph);
  if (gw <= minWidth * height || limit <= 0) return [];
  const mask = glyphMask(seg, glyph);
  const column = columnInk(mask, gw, gh, gw + 1);
  const edge = Math.max(2, Math.round(0.2 * height));
  const band = Math.max(1, Math.round(CUT_BAND * height));
  const cuts = new Map<number, Cut>();
  // A path's cost, ties going to the emptier column (the ink on either side of its start).
  const score = new Float64Array(gw + 1).fill(Infinity);
  for (let c = edge; c <= gw - edge; c++) {
    const cut = cheapestCut(mask, gw, gh, c, band);
    cuts.set(c, cut);
    score[c] = cut.cost + 1e-3 * (column[c - 1] + column[c]);
  }
  const columns = rankColumns(score, edge, gw - edge, gw >= SEVERAL_DIGITS * height);
  const chosen: Cut[] = [];
  for (const c of columns) {
    const cut = cuts.get(c)!;
    const apart = chosen.every((o) => Math.abs(o.x - cut.x) >= edge);
    if (apart && cut.x >= edge && cut.x <= gw - edge) chosen.push(cut);
    if (chosen.length >= limit) break;
  }
  return chosen
    .map((cut) => ({ ...cut, at: cut.at.map((x) => x + glyph.x0), x: cut.x + glyph.x0 }))
    .sort((p, q) => p.x - q.x);
}

/**
 * The columns `from`-`to` (both included) of a per-column `score` that are its local minima,
 * lowest score first; with `all`, followed by the other columns, lowest first (where digits
 * overlap, no column between them scores less than its neighbours).
 */
function rankColumns(score: ArrayLike<number>, from: number, to: number, all: boolean): number[] {
  const minima: number[] = [];
  const others: number[] = [];
  for (let c = from; c <= to; c++) {
    const minimum = score[c] <= score[c - 1] && score[c] <= score[c + 1];
    (minimum ? minima : others).push(c);
  }
  const byScore = (p: number, q: number) => score[p] - score[q];
  return all ? [...minima.sort(byScore), ...others.sort(byScore)] : minima.sort(byScore);
}

/**
 * Columns where a glyph may be cut straight down into digits: the local minima of its column
 * ink profile, fewest ink first, at least a fifth of the line height from its ends and from each
 * other; at most `limit`. A glyph of several digits ({@linkcode SEVERAL_DIGITS} line heights wide
 * or more) also gets the other columns, fewest ink first, after the minima: where digits overlap,
 * no column between them holds less ink than its neighbours. A glyph narrower than `minWidth` ×
 * its height gets none.
 */
export function cutColumns(
  seg: Segmentation,
  glyph: Glyph,
  limit: number,
  minWidth = 0.8,
): number[] {
  const height = Math.max(heightOf(glyph), seg.lineHeight);
  const gw = widthOf(glyph);
  if (gw <= minWidth * height || limit <= 0) return [];
  const profile = columnInk(glyphMask(seg, glyph), gw, heightOf(glyph), gw);
  const smooth = profile.map((_, i) =>
    (profile[Math.max(0, i - 1)] + profile[i] + profile[Math.min(gw - 1, i + 1)]) / 3
  );
  const edge = Math.max(2, Math.round(0.2 * height));
  const columns = rankColumns(smooth, edge, gw - edge - 1, gw >= SEVERAL_DIGITS * height);
  const chosen: number[] = [];
  for (const m of columns) {
    if (chosen.every((c) => Math.abs(c - m) >= edge)) chosen.push(m);
    if (chosen.length >= limit) break;
  }
  return chosen.map((c) => glyph.x0 + c).sort((p, q) => p - q);
}

/** A straight cut of `glyph` at column `x`: `x` is the first column on its right. */
export function straightCut(glyph: Glyph, x: number): Cut {
  return { at: new Int32Array(heightOf(glyph)).fill(x), x, cost: 0 };
}
