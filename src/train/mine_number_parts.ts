import type { DigitSet } from "../data/types.ts";
import { drawBetween, type Prng } from "../data/prng.ts";
import { type GrayImage, numberParts } from "../preprocess/mod.ts";
import { inkColumns, oneLike } from "./make_non_digits.ts";
import { sampleDigit } from "./_sample.ts";

/** Options for {@linkcode mineNumberParts}. */
export interface MinePartsOptions {
  /** How many parts to mine (digits and non-digits together, in the proportion found). */
  count: number;
  /** Labelled digits to compose the numbers from (training digits only). */
  digits: DigitSet;
  /** Fewest and most digits in a number. @default {[2, 5]} */
  length?: [number, number];
  /** Largest share of a digit's width by which neighbours are shifted into each other. @default {0.35} */
  maxOverlap?: number;
  /**
   * How far a part's left and right ink edges may be from one digit's to count as that digit, as a
   * share of a digit's nominal width (MNIST's 20 px box, scaled). @default {0.15}
   */
  tolerance?: number;
}

/** What {@linkcode mineNumberParts} found: parts read as one digit, and parts that are not one. */
export interface MinedParts {
  /** Parts whose ink spans one true digit (labelled with it). */
  digits: DigitSet;
  /** Parts spanning two digits, or a fragment of one (unlabelled). */
  nonDigits: DigitSet;
}

/** A digit as placed in a composed number, in the scene's pixels. */
export interface PlacedDigit {
  /** Its class. */
  label: number;
  /** Left edge of its ink (inclusive). */
  x0: number;
  /** Right edge of its ink (exclusive). */
  x1: number;
}

/** A number composed of touching or overlapping digits, dark on light. */
export interface ComposedNumber {
  /** The scene. */
  gray: GrayImage;
  /** Where each digit's ink is, left to right. */
  placed: PlacedDigit[];
  /** Scene pixels per MNIST pixel. */
  scale: number;
}

/**
 * Composes a number from the digits `indices` of `set`: each one's ink begins where the last one's
 * ends, shifted into it by `overlap()` of the two digits' mean ink width (0: just touching), a
 * little up or down; drawn `scale` times MNIST's size (bilinear, so a little soft), dark ink on
 * light paper with grain.
 *
 * @example
 * ```ts
 * import { composeNumber } from "./mine_number_parts.ts";
 * import { mulberry32 } from "../data/prng.ts";
 * import { equal } from "node:assert/strict";
 * const images = new Uint8Array(2 * 784);
 * for (let y = 4; y < 24; y++) images.fill(255, y * 28 + 12, y * 28 + 16); // a bar: columns 12-15
 * images.copyWithin(784, 0, 784);
 * const set = { images, labels: Uint8Array.of(1, 1), count: 2, source: "bars" };
 * const n = composeNumber(set, [0, 1], { scale: 3, overlap: () => 0, rng: mulberry32(1) });
 * equal(n.placed.length, 2);
 * equal(n.placed[1].x0, n.placed[0].x1); // just touching
 * ```
 */
export function composeNumber(
  set: DigitSet,
  indices: number[],
  options: { scale: number; overlap: () => number; rng: Prng },
): ComposedNumber {
  const { scale: s, overlap, rng } = options;
  if (set.labels === null) throw new TypeError("composeNumber: the digits must be labelled");
  const margin = 10; // MNIST pixels of paper around the number
  const columns = indices.map((i) => inkColumns(set.images, i));
  // Each digit's offset (its image's left edge) and its ink, in MNIST pixels from the first ink.
  const offsets: Array<{ dx: number; dy: number; a: number; b: number }> = [];
  let end = 0;
  for (const [k, [c0, c1]] of columns.entries()) {
    const width = c1 - c0 + 1;
    let a = 0;
    if (k > 0) {
      const last = offsets[k - 1];
      a = end - overlap() * 0.5 * (width + (last.b - last.a));
    }
    offsets.push({ dx: a - c0, dy: drawBetween(rng, -2, 2), a, b: a + width });
    end = Math.max(end, a + width);
  }
  const left = Math.min(...offsets.map((o) => o.a)) - margin;
  const w = Math.ceil((end + margin - left) * s);
  const h = Math.ceil((28 + 2 * margin) * s);
  const paper = drawBetween(rng, 190, 250);
  const pen = drawBetween(rng, 10, 90);
  const grain = drawBetween(rng, 0, 10);
  const data = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const [u, v] = [x / s + left, y / s - margin];
      let ink = 0;
      for (const [k, o] of offsets.entries()) {
        if (u < o.a - 4 || u > o.b + 4) continue;
        ink = Math.max(ink, sampleDigit(set.images, indices[k] * 784, u - o.dx, v - o.dy));
      }
      const value = paper - ink * (paper - pen) + (rng() - 0.5) * 2 * grain;
      data[y * w + x] = Math.max(0, Math.min(255, Math.round(value)));
    }
  }
  const placed = offsets.map((o, k) => ({
    label: set.labels![indices[k]],
    x0: Math.round((o.a - left) * s),
    x1: Math.round((o.b - left) * s),
  }));
  return {
    gray: { width: w, height: h, data, originalWidth: w, originalHeight: h },
    placed,
    scale: s,
  };
}

/**
 * What a part of a composed number is: the digit whose ink it spans (its left and right edges each
 * within `slack` pixels of that digit's); `"non-digit"` when it holds at least half the width of
 * two digits or of none (a fragment); `null` when unclear (most of one digit, yet an edge further
 * than `slack` from it: a digit missing a larger piece, or with a larger piece of its neighbour,
 * which may still read as that digit), and left out of training.
 *
 * @example
 * ```ts
 * import { partLabel } from "./mine_number_parts.ts";
 * import { equal } from "node:assert/strict";
 * const placed = [{ label: 4, x0: 30, x1: 90 }, { label: 2, x0: 80, x1: 140 }];
 * equal(partLabel({ x: 32, width: 52 }, placed, 9), 4); // the 4, missing a sliver of its right
 * equal(partLabel({ x: 30, width: 110 }, placed, 9), "non-digit"); // both
 * equal(partLabel({ x: 30, width: 20 }, placed, 9), "non-digit"); // a third of the 4
 * equal(partLabel({ x: 30, width: 42 }, placed, 9), null); // two thirds of the 4
 * ```
 */
export function partLabel(
  box: { x: number; width: number },
  placed: PlacedDigit[],
  slack: number,
): number | "non-digit" | null {
  const [a, b] = [box.x, box.x + box.width];
  const hit = placed.find((d) => Math.abs(a - d.x0) <= slack && Math.abs(b - d.x1) <= slack);
  if (hit !== undefined) return hit.label;
  const held = placed.filter((d) => Math.min(b, d.x1) - Math.max(a, d.x0) >= 0.5 * (d.x1 - d.x0));
  return held.length === 1 ? null : "non-digit";
}

/**
 * Mines the number reader's own crops for training: numbers of 2-5 digits of `digits` (training
 * digits only), neighbours touching or shifted into each other by up to 35 % of a digit's width,
 * drawn 2.5-3.5 times MNIST's size, dark on light paper with grain, are cut as the reader cuts
 * them ({@linkcode numberParts}: every glyph whole, and every part between the candidate cuts of
 * a wide glyph, also without the connecting strokes at its cuts, rendered as the reader renders
 * them). A part whose ink spans one placed digit
 * (each edge within `tolerance` of a digit's nominal width of it) is that digit, with the sliver
 * of its neighbour or without the sliver of itself that the cut gave it; a part holding half of
 * two digits or less than half of any is "not a digit", except narrow upright bars, which read as
 * a 1 and are left out (as in `makeNonDigits()`); parts in between ({@linkcode partLabel}) are left
 * out.
 *
 * @returns `count` parts in all, as 28×28 bytes (ink = 255): the digits labelled, the non-digits not.
 *
 * @example
 * ```ts ignore
 * import { mineNumberParts } from "./mine_number_parts.ts";
 * import { mulberry32 } from "../data/prng.ts";
 * const { digits, nonDigits } = mineNumberParts(mulberry32(1), { count: 1000, digits: train });
 * ```
 */
export function mineNumberParts(rng: Prng, options: MinePartsOptions): MinedParts {
  const { count, digits: set, length = [2, 5], maxOverlap = 0.35, tolerance = 0.15 } = options;
  if (!Number.isInteger(count) || count < 0) {
    throw new RangeError(`mineNumberParts: count must be a non-negative integer, got ${count}`);
  }
  if (set.labels === null || set.count === 0) {
    throw new TypeError(
      `mineNumberParts: the digits must be labelled and not empty (${set.source})`,
    );
  }
  const images = new Uint8Array(count * 784);
  const labels = new Int16Array(count);
  let n = 0;
  for (let tries = 0; n < count; tries++) {
    if (tries > 100 + count) {
      throw new RangeError(`mineNumberParts: ${tries} numbers gave only ${n} of ${count} parts`);
    }
    const size = length[0] + Math.floor(rng() * (length[1] - length[0] + 1));
    const indices = Array.from({ length: size }, () => Math.floor(rng() * set.count));
    const scale = drawBetween(rng, 2.5, 3.5);
    const number = composeNumber(set, indices, {
      scale,
      overlap: () => drawBetween(rng, 0, maxOverlap),
      rng,
    });
    for (const part of numberParts(number.gray)) {
      if (n === count) break;
      const label = partLabel(part.box, number.placed, tolerance * 20 * scale);
      if (label === null || (label === "non-digit" && oneLike(part.input))) continue;
      for (let i = 0; i < 784; i++) images[n * 784 + i] = Math.round(part.input[i] * 255);
      labels[n++] = label === "non-digit" ? -1 : label;
    }
  }
  const digitRows: number[] = [];
  const otherRows: number[] = [];
  for (let i = 0; i < count; i++) (labels[i] >= 0 ? digitRows : otherRows).push(i);
  const pick = (rows: number[]) => {
    const out = new Uint8Array(rows.length * 784);
    for (const [k, i] of rows.entries()) out.set(images.subarray(i * 784, (i + 1) * 784), k * 784);
    return out;
  };
  return {
    digits: {
      images: pick(digitRows),
      labels: Uint8Array.from(digitRows, (i) => labels[i]),
      count: digitRows.length,
      source: `mined:number-parts(${digitRows.length} digits)`,
    },
    nonDigits: {
      images: pick(otherRows),
      labels: null,
      count: otherRows.length,
      source: `mined:number-parts(${otherRows.length} non-digits)`,
    },
  };
}
