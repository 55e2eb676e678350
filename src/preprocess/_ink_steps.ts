import type { GrayImage } from "./_decode.ts";
import { clearLines, type Component, label, removeSurroundings } from "./_components.ts";
import { type InkMap, inkMap, thresholdInk } from "./_ink.ts";

/**
 * The first steps of finding the ink of one decoded image, which the single-digit pipeline and
 * the number reader share when they read the same pixels (an image no larger than both working
 * sizes). Nothing here is written to after it is made.
 */
export interface InkSteps extends InkMap {
  /** The ink thresholded with hysteresis ({@linkcode thresholdInk}). */
  raw: Uint8Array;
  /** `raw` with ruled lines cleared, and how many ink pixels that cleared. */
  lined: { mask: Uint8Array; cleared: number };
  /** `lined.mask` with the surroundings cleared ({@linkcode removeSurroundings}). */
  mask: Uint8Array;
  /** The components of `mask` ({@linkcode label}), labelled on first use. */
  labelled(): [Int32Array, Component[]];
}

/** By the decoded pixels they were found in: an image's steps go when it does. */
const known = new WeakMap<Uint8Array, InkSteps>();

/** The ink steps of `gray`, found once per decoded image. */
export function inkSteps(gray: GrayImage): InkSteps {
  const found = known.get(gray.data);
  if (found !== undefined) return found;
  const { width: w, height: h } = gray;
  const { ink, polarity, background } = inkMap(gray.data, w, h);
  const raw = thresholdInk(ink, w, h);
  const lined = clearLines(raw, w, h);
  const mask = removeSurroundings(lined.mask, w, h);
  let labelled: [Int32Array, Component[]] | null = null;
  const steps: InkSteps = {
    ink,
    polarity,
    background,
    raw,
    lined,
    mask,
    labelled: () => (labelled ??= label(mask, w, h)),
  };
  known.set(gray.data, steps);
  return steps;
}

/** The ink steps of `gray` when they were already found, else `undefined`. */
export function knownInkSteps(gray: GrayImage): InkSteps | undefined {
  return known.get(gray.data);
}
