import type { GrayImage } from "./_decode.ts";
import {
  type Cut,
  cutColumns,
  cutPaths,
  type Glyph,
  meanStroke,
  type RenderedPart,
  renderPart,
  renderParts,
  type Segmentation,
  segmentNumber,
  straightCut,
} from "./_segment.ts";
import { calibrate, decideDigit, DEFAULT_TEMPERATURE, type ScoredClass } from "./decide_digit.ts";
import { type GraySource, NO_DIGIT, preprocessGray } from "./preprocess_gray.ts";
import { releaseBytes } from "./release_bytes.ts";
import { inkTilt, level } from "./_tilt.ts";
import type { Box, DigitModel, PreprocessResult } from "./types.ts";

/** One digit of a number. */
export interface DigitReading {
  /** The digit, 0-9. */
  digit: number;
  /** Its probability after temperature scaling. */
  probability: number;
  /** Where it is, in pixels of the original image (after EXIF orientation). */
  box: Box;
  /** The three most likely classes, best first. */
  top: ScoredClass[];
}

/** What the reader made of one image. */
export interface NumberReading {
  /** The digits read, left to right (leading zeros kept); `null` when refused. */
  number: string | null;
  /** Each digit with its box and top three (empty when refused). */
  digits: DigitReading[];
  /** Probability that the whole number is right: the product of its digits' (0 when refused). */
  probability: number;
  /** Why `number` is `null`. */
  reason?: string;
  /** For an image of one digit (or one refused mark): the digit or `null`, as before numbers. */
  digit?: number | null;
  /** For an image of one digit: its three most likely classes. */
  top?: ScoredClass[];
}

/** Options for {@linkcode readNumber}. */
export interface ReadNumberOptions {
  /** Largest image accepted, in pixels. @default {40000000} */
  maxPixels?: number;
  /** Below this calibrated probability a digit is "not sure". @default {0.5} */
  minConfidence?: number;
  /** Softmax temperature of the model. @default {DEFAULT_TEMPERATURE} */
  temperature?: number;
  /** The single-digit pipeline's result for these bytes, when the caller already has it. */
  single?: PreprocessResult;
  /** Stops the work before the next decoder call once aborted (throwing its reason). */
  signal?: AbortSignal;
}

/** Long side of the working image the reader segments (numbers need more pixels than a digit). */
const WORK_SIZE = 640;
/**
 * Long side of the reader's first glance: the single-digit pipeline's working size, whose image
 * (and the ink found in it) the caller has at hand, or needs anyway for a number of one digit.
 */
const GLANCE_SIZE = 320;
/**
 * Shortest digit read at the glance size, in its pixels: twice the 20 px box that a digit fills in
 * the model's input, so that it is shrunk at least twofold from either size and the working size's
 * finer pixels would be averaged away. (It is also 2.5 times the height under which the working
 * size's writing counts as small, `SMALL_LINE`, on a square image: no page is looked at again.)
 */
const GLANCE_LINE = 40;
/**
 * Thinnest mean stroke of a digit read at the glance size, in its pixels (twice the ink over its
 * edge pixels, which reads 2 for any stroke one or two pixels wide): a stroke this wide has an
 * inside, and survived the averaging that made the glance size whole. A thinner one may have faded
 * below the threshold in places, where the working size, with twice the pixels, sees it.
 */
const GLANCE_STROKE = 2.5;
/** Short side wanted for a wide number (a long strip is decoded larger, up to `MAX_WORK`). */
const MIN_SHORT_SIDE = 96;
const MAX_WORK = 2048;
/**
 * Below this share of the working image's short side, the digits found are small (or there were
 * none), and a large original is read again decoded larger.
 */
const SMALL_LINE = 0.08;
/**
 * How small digits may be on a page decoded larger: 1.5 % of its short side, and 14 px; and only
 * the largest writing on it counts (printed text beside a handwritten number is smaller).
 */
const PAGE_DIGITS = { share: 0.015, pixels: 14, largest: true };
/**
 * Long side of a large page looked at again. On the project's own scan-like pages (seeds 1-3),
 * 1,536 px read 116 of 150 against 117 at 2,048 px (and 109 at 1,169), with 44 % fewer pixels:
 * under a load of scans alone the service peaked at 274 MB against 306.
 */
const PAGE_WORK = 1536;
/** Most crops the model reads for one image (every glyph, plus split candidates while they fit). */
const MAX_CROPS = 600;
/** Most candidate cuts looked at in one glyph. */
const MAX_CUTS = 24;
/** Widest part of a glyph read as one digit, in line heights. */
const MAX_PART_ASPECT = 1.5;
/** Log-probability cost of each extra digit a glyph is split into (split only when it pays). */
const SPLIT_COST = 1;
/** Calibrated probability each part of a split must reach. */
const SPLIT_MIN_CONFIDENCE = 0.9;
/**
 * On a line of several glyphs, a glyph this wide (in line heights) may hold two digits (a "1"
 * leaning on its neighbour); a lone glyph is split only when wider than tall.
 */
const CROWDED_WIDTH = 0.7;
/** From this width (in line heights) a lone glyph is surely several digits. */
const LONE_SEVERAL = 1.6;
/**
 * Shortest part of a lone glyph's split, as a share of its tallest part's height. Chosen on the own
 * synthetic numbers (all layouts, 150 each) and non-digit scenes (300 each) of seeds 777, 1 and 2,
 * with cut paths in lone glyphs surely several digits wide: 0.6 read every number read right
 * without it (325 of 450, main 318) and refused 3 of the own non-digits that main answers (a doodle
 * read "121", one "2251", a letter "11111") and the 3 of 4 that those cut paths alone would answer
 * (one left: a doodle read "332"); 0.75 read one number fewer.
 */
const EVEN_PARTS = 0.6;
/** Whether every part is at least {@linkcode EVEN_PARTS} as tall as the tallest of them. */
function evenHeights(parts: RenderedPart[]): boolean {
  const tallest = Math.max(...parts.map((p) => p.box.height));
  return parts.every((p) => p.box.height >= EVEN_PARTS * tallest);
}
/**
 * Widest glyph, in line heights, that is split only when the split scores better than the glyph
 * read whole, when the model is sure of it whole (`SPLIT_MIN_CONFIDENCE`); a glyph no wider than
 * the line is tall always is. Chosen on the own synthetic numbers of seeds 777, 1 and 2 (photo-like
 * 150, and 50 of each other kind) and own non-digits (seed 777, 300): at 1.25, 7 more numbers read
 * with an extra digit (a fragment of a wide 0, 2 or 5 read as a sure digit of its own) are read
 * right and none worse; without the condition that the whole is sure, 1.15 and 1.25 read 2 and 3
 * numbers fewer on seed 1 (touching or overlapping pairs the model was unsure of whole).
 */
const ONE_DIGIT_WIDTH = 1.25;
/** Narrowest glyph given cut candidates, in line heights. */
const MIN_SPLIT_WIDTH = 0.6;

const sameCut = (a: Cut, b: Cut) => a.at.every((x, i) => x === b.at[i]);
const log = (p: number) => Math.log(Math.max(p, 1e-12));

/** How plausible a part is as one digit: its calibrated confidence, less a cost for squat boxes. */
function partScore(probabilities: Float32Array, part: RenderedPart, temperature: number): number {
  const q = Math.max(...calibrate(probabilities, temperature));
  return log(q) - 4 * Math.max(0, part.aspect - 1);
}

interface Span {
  from: number;
  to: number;
  part: RenderedPart;
  row: number;
}

/** The split of one glyph into parts with the best total score (dynamic programming over cuts). */
function bestSplit(points: unknown[], spans: Span[], score: (s: Span) => number): Span[] {
  const best = new Array<number>(points.length).fill(-Infinity);
  const via = new Array<Span | null>(points.length).fill(null);
  best[0] = 0;
  for (let j = 1; j < points.length; j++) {
    for (const s of spans) {
      if (s.to !== j || best[s.from] === -Infinity) continue;
      const v = best[s.from] + score(s) - (s.from > 0 ? SPLIT_COST : 0);
      if (v > best[j]) [best[j], via[j]] = [v, s];
    }
  }
  const chosen: Span[] = [];
  for (let j = points.length - 1; j > 0 && via[j] !== null;) {
    chosen.unshift(via[j]!);
    j = via[j]!.from;
  }
  return chosen;
}

const scaleBox = (b: Box, k: number): Box => ({
  x: Math.round(b.x * k),
  y: Math.round(b.y * k),
  width: Math.max(1, Math.round(b.width * k)),
  height: Math.max(1, Math.round(b.height * k)),
});

/** A glyph and the parts it may be split into. */
interface GlyphParts {
  glyph: Glyph;
  /** The glyph's left edge (`null`), the candidate cuts left to right, its right edge (`null`). */
  points: Array<Cut | null>;
  spans: Span[];
  /**
   * For each part cut from a neighbour, in order, a function that renders it without the
   * connecting strokes left at its cuts, as the span numbered `row` (`null`: it has none).
   */
  trimmed: Array<(row: number) => Span | null>;
}

/**
 * Every part of a glyph between candidate cuts that is not wider than one digit can be
 * ({@linkcode MAX_PART_ASPECT} line heights), rendered (the first row number given is `row`); at
 * most `budget` parts, by dropping the weakest cuts. The candidates are of two kinds, left to
 * right together: straight cuts at the minima of the column ink profile, and cut paths that bend
 * around strokes (where digits overlap, no straight cut parts them without taking a piece of the
 * neighbour; only when `bend`); the model decides which parts are digits. With `trim`, each part
 * cut from a neighbour can also be rendered without the connecting stroke left at its cut (a
 * number written in one movement: `trimmed`, rendered while the budget allows once every glyph's
 * parts are in), and the model decides between the two too.
 */
function splitSpans(
  seg: Segmentation,
  glyph: Glyph,
  budget: number,
  row: number,
  bend: boolean,
  trim: boolean,
): GlyphParts {
  const height = Math.max(glyph.y1 - glyph.y0 + 1, seg.lineHeight);
  // About three candidates per digit the glyph's width allows.
  const wanted = Math.min(MAX_CUTS, Math.round((glyph.x1 - glyph.x0 + 1) / (0.3 * height)));
  for (let limit = wanted;; limit--) {
    const straight = cutColumns(seg, glyph, limit, MIN_SPLIT_WIDTH)
      .map((x) => straightCut(glyph, x));
    const bent = cutPaths(seg, glyph, bend ? limit : 0, MIN_SPLIT_WIDTH)
      .filter((c) => !straight.some((s) => sameCut(s, c)));
    const cuts = [...straight, ...bent].sort((p, q) => p.x - q.x);
    const points = [null, ...cuts, null];
    const at = [glyph.x0, ...cuts.map((c) => c.x), glyph.x1 + 1];
    const pairs: Array<[number, number]> = [];
    for (let i = 0; i < points.length - 1; i++) {
      for (let j = i + 1; j < points.length; j++) {
        if (j === i + 1 || at[j] - at[i] <= MAX_PART_ASPECT * height) pairs.push([i, j]);
      }
    }
    if (pairs.length > budget && limit > 0) continue;
    const spans: Span[] = [];
    const trimmed: GlyphParts["trimmed"] = [];
    for (const [i, j] of pairs.slice(0, budget)) {
      const parts = renderParts(seg, glyph, points[i], points[j]);
      if (parts === null) continue;
      spans.push({ from: i, to: j, part: parts.part, row: row++ });
      if (!trim || (i === 0 && j === points.length - 1)) continue;
      trimmed.push((at: number) => {
        const part = parts.trimmed();
        return part === null ? null : { from: i, to: j, part, row: at };
      });
    }
    return { glyph, points, spans, trimmed };
  }
}

/**
 * What the reader asks the model about on a segmented line: each glyph whole (`wholes`, rows in
 * order) and, for each glyph that may hold several digits (wider than tall, or than
 * `CROWDED_WIDTH` of its height on a line of several glyphs, or half as wide again as the typical
 * glyph of a longer number), the parts between its candidate cuts (`suspects`, rows numbered from
 * 0 across them), then, while the budget allows, those parts without the connecting strokes left at
 * their cuts (numbered on), within {@linkcode MAX_CROPS} in all. Decided by the glyphs' shapes
 * alone.
 */
function candidateParts(seg: Segmentation): { wholes: Span[]; suspects: GlyphParts[] } {
  const wholes: Span[] = [];
  for (const glyph of seg.glyphs) {
    const part = renderPart(seg, glyph);
    if (part !== null) wholes.push({ from: 0, to: 1, part, row: wholes.length });
  }
  const widths = wholes.map((w) => w.part.box.width).sort((a, b) => a - b);
  const typicalWidth = widths[Math.floor(widths.length / 2)] ?? 0;
  let budget = MAX_CROPS - wholes.length;
  const suspects: GlyphParts[] = [];
  let row = 0;
  for (const [i, whole] of wholes.entries()) {
    const height = Math.max(whole.part.box.height, seg.lineHeight);
    // Wider than tall (on a line of several glyphs, than CROWDED_WIDTH of its height), or half as
    // wide again as the typical glyph of a longer number.
    const wide = whole.part.box.width > (wholes.length >= 2 ? CROWDED_WIDTH : 1) * height ||
      (wholes.length >= 3 && whole.part.box.width > 1.5 * typicalWidth);
    // Only a glyph too wide for one digit is split: splitting an unsure narrow mark (a letter)
    // would only go looking for digit-like fragments in it.
    if (!wide) continue;
    // Cut paths only on a line of several glyphs, or in a lone glyph surely several digits wide
    // (`LONE_SEVERAL`: a short number whose digits overlap is one glyph, and no straight cut
    // parts them): bent around the strokes of a narrower lone mark (a doodle, a letter), they
    // find digit-like pieces in it more often than digits. On the own overlapping numbers of
    // seeds 777, 1 and 2 (60 each), cut paths in such lone glyphs read 94 of 180 right against 86.
    // Connecting strokes trimmed likewise: the arches of a lone "m" or "n", cut and trimmed, read
    // as digits.
    const bendAndTrim = wholes.length >= 2 || whole.part.box.width >= LONE_SEVERAL * height;
    const split = splitSpans(seg, seg.glyphs[i], budget, row, bendAndTrim, bendAndTrim);
    if (split.spans.length <= 1) continue;
    budget -= split.spans.length;
    row += split.spans.length;
    suspects.push({ ...split, glyph: seg.glyphs[i] });
  }
  // The parts without their connecting strokes, once every glyph's parts are in, while the
  // budget allows (numbered on from the last part).
  for (const suspect of suspects) {
    for (const render of suspect.trimmed) {
      if (budget <= 0) break;
      const span = render(row);
      if (span === null) continue;
      suspect.spans.push(span);
      [budget, row] = [budget - 1, row + 1];
    }
  }
  return { wholes, suspects };
}

/** One crop of a number as the reader shows it to the model ({@linkcode numberParts}). */
export interface NumberPart {
  /** The model's input: 784 floats (28×28, row-major, ink 1, paper 0), MNIST-style. */
  input: Float32Array;
  /** Where the part's ink is, in pixels of the image given. */
  box: Box;
  /**
   * Whether it is a glyph read whole (`false`: a part between candidate cuts of a wide glyph, with
   * or without the connecting strokes left at its cuts).
   */
  whole: boolean;
}

/**
 * Every crop the number reader would ask the model about in `gray` (one line of writing, dark on
 * light, segmented at the size given): each glyph whole, and every part between the candidate cuts
 * of a glyph that may hold several digits (also without the connecting strokes left at its cuts,
 * where it has some), rendered exactly as the reader renders them. The
 * reader's steps that need a model (joining a digit's broken strokes, choosing a split) are left
 * out: this is the raw material for training a model to verify the reader's cuts, so that it
 * sees what a digit cut with a sliver of its neighbour, or missing a sliver of itself, looks like.
 * No glyph found: no parts.
 *
 * @example
 * ```ts
 * import { numberParts } from "./read_number_gray.ts";
 * import { equal } from "node:assert/strict";
 * // Two dark bars, 12 px apart, on white paper: two glyphs, each read whole.
 * const [width, height] = [80, 60];
 * const data = new Uint8Array(width * height).fill(255);
 * for (let y = 10; y < 50; y++) {
 *   for (const x0 of [20, 50]) data.fill(0, y * width + x0, y * width + x0 + 6);
 * }
 * const parts = numberParts({ width, height, data, originalWidth: width, originalHeight: height });
 * equal(parts.length, 2);
 * equal(parts[0].input.length, 784);
 * equal(parts.every((p) => p.whole), true);
 * ```
 */
export function numberParts(gray: GrayImage): NumberPart[] {
  const seg = segmentNumber(gray);
  if (seg.glyphs.length === 0) return [];
  const { wholes, suspects } = candidateParts(seg);
  const out = (s: Span, whole: boolean): NumberPart => ({
    input: s.part.input,
    box: s.part.box,
    whole,
  });
  return [
    ...wholes.map((s) => out(s, true)),
    ...suspects.flatMap((g) => g.spans.map((s) => out(s, false))),
  ];
}

/** Runs the model on every span, in one batch; returns the rows of probabilities by span. */
async function classify(model: DigitModel, spans: Span[]): Promise<Float32Array> {
  if (spans.length === 0) return new Float32Array(0);
  const batch = new Float32Array(spans.length * 784); // [n, 28, 28, 1]
  for (const [i, s] of spans.entries()) batch.set(s.part.input, i * 784);
  return await model.predict(batch, spans.length); // [n, 10]
}

/**
 * Joins a digit written in strokes that do not overlap (a 4 whose upright stands apart): two
 * neighbouring glyphs, close and narrow enough together for one digit, one of which the model is
 * not sure of, become one glyph when the model is sure of the pair as one digit (calibrated
 * probability at least `SPLIT_MIN_CONFIDENCE`) and surer than of the two, less the cost of a digit.
 */
async function joinBroken(
  seg: Segmentation,
  model: DigitModel,
  temperature: number,
): Promise<Glyph[]> {
  const g = seg.glyphs;
  const h = seg.lineHeight;
  const pairs: number[] = [];
  for (let i = 0; i + 1 < g.length; i++) {
    const [a, b] = [g[i], g[i + 1]];
    const width = Math.max(a.x1, b.x1) - Math.min(a.x0, b.x0) + 1;
    const height = Math.max(a.y1, b.y1) - Math.min(a.y0, b.y0) + 1;
    if (b.x0 - a.x1 - 1 <= 0.15 * h && width <= 0.9 * Math.max(height, h)) pairs.push(i);
  }
  if (pairs.length === 0 || g.length + 3 * pairs.length > MAX_CROPS) return g;
  const joined = (i: number): Glyph => {
    const [a, b] = [g[i], g[i + 1]];
    return {
      x0: Math.min(a.x0, b.x0),
      y0: Math.min(a.y0, b.y0),
      x1: Math.max(a.x1, b.x1),
      y1: Math.max(a.y1, b.y1),
      labels: [...a.labels, ...b.labels],
      area: a.area + b.area,
    };
  };
  const crops = [...pairs.flatMap((i) => [g[i], g[i + 1], joined(i)])]
    .map((x) => renderPart(seg, x));
  if (crops.some((c) => c === null)) return g;
  const spans = crops.map((part, row) => ({ from: 0, to: 1, part: part!, row }));
  const rows = await classify(model, spans);
  const sure = (k: number) =>
    Math.max(...calibrate(rows.subarray(k * 10, k * 10 + 10), temperature));
  const out: Glyph[] = [];
  let skip = -1;
  for (let i = 0; i < g.length; i++) {
    if (i === skip) continue;
    const k = pairs.indexOf(i);
    if (k >= 0 && i + 1 !== skip) {
      const [pa, pb, pm] = [sure(3 * k), sure(3 * k + 1), sure(3 * k + 2)];
      const unsure = Math.min(pa, pb) < SPLIT_MIN_CONFIDENCE;
      if (unsure && pm >= SPLIT_MIN_CONFIDENCE && log(pm) > log(pa) + log(pb) - SPLIT_COST) {
        out.push(joined(i));
        skip = i + 1;
        continue;
      }
    }
    out.push(g[i]);
  }
  return out;
}

/**
 * Reads each glyph whole; a glyph that may hold several digits (wider than its height, or than
 * `CROWDED_WIDTH` of it on a line of several glyphs, or half as wide again as the typical glyph of
 * a longer number) is then split and verified: every split at candidate cuts (straight, and on a
 * line of several glyphs or in a lone glyph `LONE_SEVERAL` line heights wide, bent around strokes)
 * is read, and the best split by dynamic programming (the model's calibrated confidence in each
 * part, less a cost for squat parts and per extra digit) among those whose every part reaches
 * `SPLIT_MIN_CONFIDENCE` wins; a glyph no wider than the line is tall (squat as wide beside the
 * line's height), or up to `ONE_DIGIT_WIDTH` of it when the model is sure of it whole, is split
 * only when that beats reading it whole. A lone glyph narrower than `LONE_SEVERAL` line heights
 * keeps a stricter rule (its best split overall must be verified), and a lone glyph is split only
 * into parts of a height (`EVEN_PARTS`). A glyph that would be refused whole, beside sure digits,
 * takes its best split when every part is as sure as a digit must be.
 */
async function readGlyphs(
  seg: Segmentation,
  model: DigitModel,
  options: ReadNumberOptions,
): Promise<Array<{ part: RenderedPart; probabilities: Float32Array }>> {
  const temperature = options.temperature ?? DEFAULT_TEMPERATURE;
  seg = { ...seg, glyphs: await joinBroken(seg, model, temperature) };
  const { wholes, suspects } = candidateParts(seg);
  const rowOf = (rows: Float32Array, i: number) => rows.subarray(i * 10, i * 10 + 10);
  // Which glyphs to split is a question of their shapes alone: the wholes and every part go to
  // the model in one batch, in the order of their rows.
  const parts = suspects.flatMap((g) => g.spans).sort((a, b) => a.row - b.row);
  const all = await classify(model, [...wholes, ...parts]);
  const first = all.subarray(0, wholes.length * 10);
  const second = all.subarray(wholes.length * 10);
  const out: Array<{ part: RenderedPart; probabilities: Float32Array }> = [];
  for (const [i, whole] of wholes.entries()) {
    const split = suspects.find((g) => g.glyph === seg.glyphs[i]);
    if (split === undefined) {
      out.push({ part: whole.part, probabilities: rowOf(first, i) });
      continue;
    }
    // A split is a search over many crops, so each of its parts must clear a higher bar than a
    // glyph read whole: the search keeps to verified parts, the best split whose every part
    // clears the bar; a glyph that has none stays whole (and is decided as such). A glyph only
    // somewhat wide (a "1" leaning on a digit, or one wide digit) is split only when the split
    // scores better than the glyph read whole.
    const sure = (rows: Float32Array) => Math.max(...calibrate(rows, temperature));
    const verified = (s: Span) => sure(rowOf(second, s.row)) >= SPLIT_MIN_CONFIDENCE;
    const score = (s: Span) => partScore(rowOf(second, s.row), s.part, temperature);
    const several = wholes.length >= 2;
    // A lone glyph (a letter, a doodle) keeps a stricter rule unless it is surely several digits
    // wide: its best split overall must be verified, not just its best verified split.
    const height = Math.max(whole.part.box.height, seg.lineHeight);
    const strict = !several && whole.part.box.width < LONE_SEVERAL * height;
    let chosen = bestSplit(
      split.points,
      strict ? split.spans : split.spans.filter(verified),
      score,
    );
    const splitScore = chosen.reduce((v, s) => v + score(s), -SPLIT_COST * (chosen.length - 1));
    // Squat beside the line, not beside itself: a digit shorter than its neighbours (a 2 with a
    // long foot, a 6 written small) is as wide as one digit, and split only when that pays.
    const wholeScore = partScore(
      rowOf(first, i),
      { ...whole.part, aspect: whole.part.box.width / height },
      temperature,
    );
    // A little wider than the line is tall, a glyph the model reads surely as one digit (a 4 with
    // a long bar, a 0 drawn wide) is one too unless the split pays.
    const oneDigit = whole.part.box.width <= height ||
      (whole.part.box.width <= ONE_DIGIT_WIDTH * height &&
        sure(rowOf(first, i)) >= SPLIT_MIN_CONFIDENCE);
    if (oneDigit && splitScore <= wholeScore) chosen = [];
    // A lone glyph is split only into parts of a height: the digits of a number are, the pieces
    // of a doodle's crossing strokes are not.
    if (!several && !evenHeights(chosen.map((s) => s.part))) chosen = [];
    if (chosen.length > 1 && chosen.every(verified)) {
      for (const s of chosen) out.push({ part: s.part, probabilities: rowOf(second, s.row) });
      continue;
    }
    // No verified split, and the glyph read whole would be refused ("not sure") on a line whose
    // other glyphs include a sure digit: the best split overall, when each of its parts is at
    // least as sure as a digit read whole must be, answers where the whole could only refuse.
    const digitsBeside = wholes.some((_, k) =>
      k !== i && sure(rowOf(first, k)) >= SPLIT_MIN_CONFIDENCE
    );
    const minConfidence = options.minConfidence ?? 0.5;
    if (several && digitsBeside && sure(rowOf(first, i)) < minConfidence) {
      chosen = bestSplit(split.points, split.spans, score);
      if (chosen.length > 1 && chosen.every((s) => sure(rowOf(second, s.row)) >= minConfidence)) {
        for (const s of chosen) out.push({ part: s.part, probabilities: rowOf(second, s.row) });
        continue;
      }
    }
    out.push({ part: whole.part, probabilities: rowOf(first, i) });
  }
  return out;
}

/** Whether every pixel of `gray` is within one step of the same tone. */
function flat(gray: GrayImage): boolean {
  const { data } = gray;
  let [low, high] = [255, 0];
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v < low) low = v;
    if (v > high) high = v;
  }
  return high - low <= 1;
}

/**
 * Whether the single-digit pipeline's ink box (when it refers to the whole image, not a crop)
 * holds every one of `boxes` (original pixels), give or take a tenth of its size.
 */
function coversAll(result: PreprocessResult, gray: GrayImage, boxes: Box[]): boolean {
  if (result.box === undefined || result.workSize === undefined) return false;
  const k = gray.originalWidth / result.workSize.width;
  if (Math.abs(result.workSize.height * k - gray.originalHeight) > 2 * k) return false; // a crop
  const b = scaleBox(result.box, k);
  const m = 0.1 * Math.max(b.width, b.height);
  return boxes.every((p) =>
    p.x >= b.x - m && p.y >= b.y - m && p.x + p.width <= b.x + b.width + m &&
    p.y + p.height <= b.y + b.height + m
  );
}

/** The single-digit pipeline's answer, in the reader's shape. */
async function singleDigit(
  source: GraySource,
  model: DigitModel,
  options: ReadNumberOptions,
  box: Box | undefined,
): Promise<NumberReading> {
  const single = options.single ??
    await preprocessGray(source, { signal: options.signal });
  if (single.input === null) {
    const reason = single.reason ?? NO_DIGIT;
    return { number: null, digits: [], probability: 0, reason, digit: null, top: [] };
  }
  const probabilities = await model.predict(single.input, 1);
  const d = decideDigit(probabilities, single.stats, options);
  if (d.digit === null) {
    return { number: null, digits: [], ...d };
  }
  const where = box ?? single.box ?? { x: 0, y: 0, width: 0, height: 0 };
  const digits = [{ digit: d.digit, probability: d.probability, box: where, top: d.top }];
  return {
    number: String(d.digit),
    digits,
    probability: d.probability,
    digit: d.digit,
    top: d.top,
  };
}

/** A segmentation and the image it was found in. */
interface View {
  gray: GrayImage;
  seg: Segmentation;
  /** Whether `gray` is a page decoded larger than the working size (its labels are freed after). */
  larger: boolean;
}

/**
 * The line at the glance size ({@linkcode GLANCE_SIZE}), when it shows all that the working size
 * would: an image larger than the glance size holding one glyph, no wider than tall, at least
 * {@linkcode GLANCE_LINE} pixels tall there, in strokes at least {@linkcode GLANCE_STROKE} wide
 * (a photo of one large digit). Otherwise (several glyphs, small writing, specks, several lines,
 * thin strokes, or no larger image to look at) `null`, and the reader segments the working size
 * as before.
 */
async function glance(source: GraySource, signal?: AbortSignal): Promise<View | null> {
  const gray = await source(GLANCE_SIZE);
  signal?.throwIfAborted();
  const long = Math.max(gray.originalWidth, gray.originalHeight);
  // No larger than the glance size: the working size decodes the same pixels.
  if (Math.max(gray.width, gray.height) >= Math.min(long, WORK_SIZE)) return null;
  const seg = segmentNumber(gray);
  if (seg.glyphs.length !== 1 || seg.lineHeight < GLANCE_LINE) return null;
  // One glyph no wider than tall is read whole, as the single-digit pipeline's digit, at either
  // size. A wider one may hold touching digits, cut stroke by stroke where the working size's
  // finer pixels count; and a line of several glyphs keeps the working size too: read at 320 px
  // when tall enough there, 69 of the 600 synthetic numbers of seeds 20260 and 1-3 changed 4
  // answers (2 right more, 2 right fewer).
  const [g] = seg.glyphs;
  if (g.x1 - g.x0 + 1 > Math.max(g.y1 - g.y0 + 1, seg.lineHeight)) return null;
  const own = new Set(g.labels);
  if (meanStroke((i) => own.has(seg.labels[i]), seg.width, seg.height, g) < GLANCE_STROKE) {
    return null;
  }
  return { gray, seg, larger: false };
}

/**
 * The line at the working size ({@linkcode WORK_SIZE}, more for a long strip); a number written
 * small on a large page (a scan), at the whole page decoded larger.
 */
async function segmentAtWorkSize(source: GraySource, signal?: AbortSignal): Promise<View> {
  let gray = await source(WORK_SIZE);
  signal?.throwIfAborted();
  const shortSide = Math.min(gray.width, gray.height);
  const originalShort = Math.min(gray.originalWidth, gray.originalHeight);
  if (shortSide < MIN_SHORT_SIDE && originalShort > shortSide) {
    const long = Math.max(gray.originalWidth, gray.originalHeight);
    const want = Math.min(MAX_WORK, Math.round((MIN_SHORT_SIDE * long) / originalShort));
    if (want > WORK_SIZE) gray = await source(want);
    signal?.throwIfAborted();
  }
  let seg = segmentNumber(gray);
  // A number written small on a large page (a scan): at the working size its strokes are thinner
  // than a pixel and break into specks, or its digits are a few pixels tall. Look again at the
  // whole page decoded larger, up to `PAGE_WORK` (the segmentation is linear in the pixels).
  const long = Math.max(gray.originalWidth, gray.originalHeight);
  // No ink left once the faint pieces are left out, or only specks of it.
  const specks = seg.reason === "no digit found" ||
    (seg.reason?.startsWith("no digit found: only specks") ?? false);
  const small = specks ||
    (seg.glyphs.length > 0 && seg.lineHeight < SMALL_LINE * Math.min(gray.width, gray.height));
  const first = Math.max(gray.width, gray.height);
  // The original up to `PAGE_WORK`, then (when that finds nothing) twice the first size: at
  // full size a scan's grain can break into more pieces than are looked at.
  const sizes = [Math.min(PAGE_WORK, long), Math.min(2 * first, long)]
    .filter((size, i, all) => size >= 1.5 * first && all.indexOf(size) === i);
  // A page of one flat tone has nothing a larger decode could show (a blank or solid image, or a
  // zlib bomb of zeros: the cheapest way to ask for the reader's heaviest path).
  const tried = small && !flat(gray) ? sizes : [];
  for (const size of tried) {
    const big = await source(size);
    signal?.throwIfAborted();
    // On the page decoded larger, digits may be small beside the page, not beside a pen.
    const again = segmentNumber(big, PAGE_DIGITS);
    if (again.glyphs.length > 0) {
      [gray, seg] = [big, again];
      break;
    }
    // The page's labels (4 bytes a pixel), freed now rather than at a full garbage collection.
    releaseBytes(again.labels);
  }
  // Decoded larger, a thin pen's faint strokes can break into specks where the working size's
  // averaged pixels hold them whole: then the working size is read with the page's rule.
  const larger = Math.max(gray.width, gray.height) > first;
  if (specks && !larger && tried.length > 0) {
    const again = segmentNumber(gray, PAGE_DIGITS);
    if (again.glyphs.length > 0) seg = again;
  }
  return { gray, seg, larger };
}

/**
 * The number reader after decoding ({@linkcode readNumber} without sharp): `source` decodes the
 * image at the sizes the reader asks for: first the single-digit pipeline's 320 px, where a large
 * image of one large digit (one glyph no wider than tall, 40 px or more, strokes 2.5 px wide or
 * more) is read; otherwise 640 px long side (more for a long strip, and up to 1,536 px for small
 * writing on a large page). Runs in a browser as on the server.
 *
 * @example
 * ```ts ignore
 * import { readNumberFromGray } from "./read_number_gray.ts";
 * const reading = await readNumberFromGray(decodeWithCanvas, model);
 * ```
 */
export async function readNumberFromGray(
  source: GraySource,
  model: DigitModel,
  options: ReadNumberOptions = {},
): Promise<NumberReading> {
  const { signal } = options;
  const view = await glance(source, signal) ?? await segmentAtWorkSize(source, signal);
  let { gray, seg } = view;
  // A number photographed turned (its line of ink rising or falling by 8-50°) is read levelled.
  let back = (b: Box) => b;
  const tilt = seg.glyphs.length === 1 ? null : inkTilt(seg.labels, seg.width);
  if (tilt !== null) {
    const levelled = level(gray, tilt);
    const again = segmentNumber(levelled.gray);
    // On a page decoded larger, the labels not read from are freed now, as the page's are below.
    if (again.glyphs.length >= 2) {
      if (view.larger) releaseBytes(seg.labels);
      [gray, seg, back] = [levelled.gray, again, levelled.back];
    } else if (view.larger) releaseBytes(again.labels);
  }
  const toOriginal = (b: Box) => scaleBox(back(b), seg.scale);
  if (seg.glyphs.length === 0) {
    const single = await singleDigit(source, model, options, undefined);
    // The single-digit pipeline may find a digit the line finder refused (one mark in clutter);
    // when it finds none either, its reason stands, unless there were several lines of marks.
    const lines = seg.reason?.startsWith("several lines") ?? false;
    return single.number === null && lines ? { ...single, reason: seg.reason } : single;
  }
  const parts = await readGlyphs(seg, model, options);
  // The labels of a page decoded larger (4 bytes a pixel), freed now rather than at a full GC.
  if (view.larger) releaseBytes(seg.labels);
  if (parts.length === 0) return await singleDigit(source, model, options, undefined);
  if (parts.length === 1) {
    return await singleDigit(source, model, options, toOriginal(parts[0].part.box));
  }
  const digits: DigitReading[] = [];
  for (const [k, s] of parts.entries()) {
    const d = decideDigit(s.probabilities, undefined, options);
    if (d.digit === null) {
      const reason = `not a number: mark ${k + 1} of ${parts.length} is ${d.reason}`;
      return { number: null, digits: [], probability: 0, reason };
    }
    digits.push({
      digit: d.digit,
      probability: d.probability,
      box: toOriginal(s.part.box),
      top: d.top,
    });
  }
  const probability = digits.reduce((p, d) => p * d.probability, 1);
  // One digit or several? The single-digit pipeline joins nearby fragments into one digit: when
  // the model is surer of that one digit than of the several (less the cost of each extra
  // digit), the image holds one digit with stray or broken strokes.
  const numberScore = Math.log(Math.max(probability, 1e-12)) - SPLIT_COST * (digits.length - 1);
  const x0 = Math.min(...parts.map((s) => s.part.box.x));
  const y0 = Math.min(...parts.map((s) => s.part.box.y));
  const x1 = Math.max(...parts.map((s) => s.part.box.x + s.part.box.width));
  const y1 = Math.max(...parts.map((s) => s.part.box.y + s.part.box.height));
  const all = toOriginal({ x: x0, y: y0, width: x1 - x0, height: y1 - y0 });
  const result = options.single ?? await preprocessGray(source, { signal });
  const covers = coversAll(result, gray, parts.map((s) => toOriginal(s.part.box)));
  if (covers) {
    const single = await singleDigit(source, model, { ...options, single: result }, all);
    if (single.number !== null && Math.log(Math.max(single.probability, 1e-12)) > numberScore) {
      return single;
    }
  }
  return {
    number: digits.map((d) => d.digit).join(""),
    digits,
    probability: Math.round(probability * 1e6) / 1e6,
  };
}
