import type { GrayImage, Region } from "./_decode.ts";
import { inkSteps } from "./_ink_steps.ts";
import { type DigitPick, pickDigit } from "./_components.ts";
import { normaliseStroke, renderMnist } from "./_render.ts";
import type { Box, DebugStep, InkStats, PreprocessOptions, PreprocessResult } from "./types.ts";

/**
 * Decodes the image being read at another size: its long side shrunk (never enlarged past the
 * original, except that tiny images grow to 64 px) to `workSize`, or only `region` of the
 * original at full resolution. The server decodes with sharp, the page with a canvas.
 */
export type GraySource = (workSize: number, region?: Region) => Promise<GrayImage>;

/** The reason given when an image holds no plausible digit. */
export const NO_DIGIT = "no digit found";

/** Smallest digit accepted, as a share of the working image's long side. */
const MIN_DIGIT_SHARE = 0.04;
/** A digit smaller than this share of the working image is decoded again, cropped, at full size. */
const SMALL_DIGIT_SHARE = 0.3;

/** Why the picked ink is not a digit, or `undefined` when it may be one. */
function implausible(stats: InkStats, box: Box, longSide: number): string | undefined {
  const side = Math.max(box.width, box.height);
  const squat = Math.min(box.width, box.height) / side > 0.5; // a solid bar may be a "1"
  if (side < Math.max(6, MIN_DIGIT_SHARE * longSide)) return `${NO_DIGIT}: only specks of ink`;
  if (stats.contrast < 0.15) return `${NO_DIGIT}: only faint marks`;
  if (stats.inkFraction > 0.6) return `${NO_DIGIT}: ink covers most of the image`;
  if (stats.fill > 0.85 && squat) return `${NO_DIGIT}: the ink is a solid blob, not strokes`;
  // A digit is one or two pen strokes; a broken line adds a fragment or two, not five.
  if (stats.parts > 4) return `${NO_DIGIT}: the ink is in ${stats.parts} separate pieces`;
  if (stats.clutter > 12) return `${NO_DIGIT}: too many separate marks for one digit`;
  return undefined;
}

const toBytes = (plane: ArrayLike<number>, scale: number): Uint8Array =>
  Uint8Array.from(plane, (v) => Math.max(0, Math.min(255, Math.round(v * scale))));

/** Records a debug image; `data` is called only when debug images were asked for. */
type Keep = (name: string, data: () => Uint8Array, width?: number, height?: number) => void;

/** Lighting, polarity, threshold, lines, and the digit's ink, on one decoded image. */
function findDigit(
  gray: GrayImage,
  keep: Keep,
): { polarity: "dark_on_light" | "light_on_dark"; pick: DigitPick | null } {
  const { width: w, height: h } = gray;
  keep("1-gray", () => gray.data, w, h);
  const steps = inkSteps(gray);
  const { ink, polarity, background, raw, mask } = steps;
  const lined = steps.lined.mask;
  keep("2-background", () => toBytes(background, 1), w, h);
  keep("3-ink", () => toBytes(ink, 255), w, h);
  keep("4-threshold", () => toBytes(raw, 255), w, h);
  keep("5-lines-removed", () => toBytes(mask, 255), w, h);
  // Keep the surroundings when clearing them leaves nothing: then they were the digit.
  const pick: DigitPick | null = pickDigit(mask, ink, w, h, steps.labelled()) ??
    pickDigit(lined, ink, w, h);
  if (pick !== null) keep("6-digit", () => toBytes(pick.mask, 255), w, h);
  return { polarity, pick };
}

/**
 * The photo pipeline after decoding ({@linkcode preprocessImage} without sharp): finds the digit
 * in the image `source` decodes at `workSize` (looking again, decoded cropped, at a small digit in
 * a large image) and renders it as the model's 28×28 input. Runs in a browser as on the server.
 *
 * @example
 * ```ts
 * import { preprocessGray } from "./preprocess_gray.ts";
 * import { ok } from "node:assert/strict";
 * // A black bar on white: a "1".
 * const data = new Uint8Array(100 * 100).fill(255);
 * for (let y = 20; y < 80; y++) data.fill(0, y * 100 + 46, y * 100 + 54);
 * const gray = { width: 100, height: 100, data, originalWidth: 100, originalHeight: 100 };
 * const { input } = await preprocessGray(() => Promise.resolve(gray));
 * ok(input !== null && input[14 * 28 + 14] > 0.9);
 * ```
 */
export async function preprocessGray(
  source: GraySource,
  options: Pick<PreprocessOptions, "workSize" | "debug" | "signal"> = {},
): Promise<PreprocessResult> {
  const { workSize = 320, debug = false, signal } = options;
  const steps: DebugStep[] = [];
  let prefix = "";
  const keep: Keep = (name, data, width = 28, height = 28) => {
    if (debug) steps.push({ name: prefix + name, width, height, data: data() });
  };
  let decodeMs = -performance.now();
  let gray = await source(workSize);
  decodeMs += performance.now();
  signal?.throwIfAborted();
  let { polarity, pick } = findDigit(gray, keep);
  const longSide = () => Math.max(gray.width, gray.height);
  const sideOf = (p: DigitPick) => Math.max(p.box.width, p.box.height);
  // A small digit in a large photo: look again at its surroundings at full resolution.
  const shrink = Math.max(gray.originalWidth, gray.originalHeight) / longSide();
  if (pick !== null && shrink > 1.5 && sideOf(pick) < SMALL_DIGIT_SHARE * longSide()) {
    const margin = sideOf(pick) * shrink;
    const cx = (pick.box.x + pick.box.width / 2) * shrink;
    const cy = (pick.box.y + pick.box.height / 2) * shrink;
    const left = Math.max(0, Math.round(cx - margin * 1.5));
    const top = Math.max(0, Math.round(cy - margin * 1.5));
    const region = {
      left,
      top,
      width: Math.min(gray.originalWidth - left, Math.round(margin * 3)),
      height: Math.min(gray.originalHeight - top, Math.round(margin * 3)),
    };
    prefix = "crop-";
    decodeMs -= performance.now();
    const crop = await source(workSize, region);
    decodeMs += performance.now();
    signal?.throwIfAborted();
    const again = findDigit(crop, keep);
    if (again.pick !== null) ({ gray, polarity, pick } = { gray: crop, ...again });
  }
  const { width: w, height: h } = gray;
  const base = {
    polarity,
    workSize: { width: w, height: h },
    steps: debug ? steps : undefined,
    decodeMs,
  };
  if (pick === null) return { ...base, input: null, reason: NO_DIGIT };
  const side = sideOf(pick);
  const reason = implausible(pick.stats, pick.box, longSide());
  if (reason !== undefined) {
    return { ...base, input: null, reason, box: pick.box, stats: pick.stats };
  }
  const normal = normaliseStroke(pick.mask, w, h, pick.box, pick.stats.strokeRatio * side);
  keep("7-stroke", () => toBytes(normal.mask, 255), w, h);
  const input = renderMnist(normal.mask, w, h, normal.box);
  keep("8-input", () => toBytes(input, 255));
  return { ...base, input, box: pick.box, stats: pick.stats };
}
