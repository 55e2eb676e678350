/**
 * Synthetic photos of handwritten numbers: MNIST digits laid out on a line (with gaps, touching or
 * overlapping neighbours) and drawn into photo-like scenes (tinted paper, coloured ink, a shadow,
 * grain, sometimes ruled lines, blur, JPEG). Used, always with MNIST's **test** digits, by
 * `deno task bench numbers`, by the fixture generator `tests/data/make_number_fixtures.ts` and by
 * the reader's tests (with the committed grid `fixtures/mnist_test_grid.png`).
 *
 * @module
 */
import sharp from "sharp";
import type { DigitSet } from "../data/types.ts";
import type { Prng } from "../data/prng.ts";

/** How neighbouring digits sit: apart, just touching, or overlapping. */
export type NumberLayout = "gap" | "touching" | "overlap";

/** One rendered number. */
export interface NumberScene {
  /** The digits written, left to right. */
  number: string;
  /** How its digits sit. */
  layout: NumberLayout;
  /** The encoded image (JPEG or PNG). */
  bytes: Uint8Array;
  /** `"jpeg"` or `"png"`. */
  format: "jpeg" | "png";
}

/** The ink columns and rows of a 28×28 digit (values above a faint level). */
function inkBox(pixels: Uint8Array): [number, number, number, number] {
  let [x0, y0, x1, y1] = [28, 28, -1, -1];
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      if (pixels[y * 28 + x] < 40) continue;
      [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
    }
  }
  return x1 < 0 ? [0, 0, 27, 27] : [x0, y0, x1, y1];
}

function sample(pixels: Uint8Array, x: number, y: number): number {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const at = (xx: number, yy: number) =>
    xx < 0 || yy < 0 || xx > 27 || yy > 27 ? 0 : pixels[yy * 28 + xx] / 255;
  const tx = x - x0;
  const ty = y - y0;
  return (at(x0, y0) * (1 - tx) + at(x0 + 1, y0) * tx) * (1 - ty) +
    (at(x0, y0 + 1) * (1 - tx) + at(x0 + 1, y0 + 1) * tx) * ty;
}

const between = (rng: Prng, a: number, b: number) => a + (b - a) * rng();

/**
 * Renders the digits `indices` of `set` as one number in a photo-like scene (on ruled paper one
 * time in four, or as `options.ruled` says).
 *
 * @example
 * ```ts ignore
 * const scene = await renderNumberScene(set, [3, 14, 15], "touching", createRng(1));
 * await Deno.writeFile("n.jpg", scene.bytes);
 * ```
 */
export async function renderNumberScene(
  set: DigitSet,
  indices: number[],
  layout: NumberLayout,
  rng: Prng,
  options: { ruled?: boolean } = {},
): Promise<NumberScene> {
  const size = Math.round(between(rng, 36, 90)); // digit height in scene pixels
  const k = 20 / size; // scene pixels → MNIST pixels (MNIST digits are 20 px tall)
  const placed: Array<{ pixels: Uint8Array; left: number; top: number; box: number[] }> = [];
  let x = 0;
  for (const index of indices) {
    const pixels = set.images.subarray(index * 784, (index + 1) * 784);
    const box = inkBox(pixels);
    const width = (box[2] - box[0] + 1) / k;
    const advance = layout === "gap"
      ? between(rng, 0.15, 0.6) * size
      : layout === "touching"
      ? between(rng, -0.06, 0) * size
      : between(rng, -0.16, -0.06) * size;
    if (placed.length > 0) x += advance;
    placed.push({ pixels, left: x - box[0] / k, top: between(rng, -0.06, 0.06) * size, box });
    x += width;
  }
  const marginX = between(rng, 0.3, 1.2) * size;
  const marginY = between(rng, 0.4, 1.0) * size;
  const w = Math.round(x + 2 * marginX);
  const h = Math.round(size * 1.4 + 2 * marginY);
  const ink = new Float32Array(w * h);
  const slant = between(rng, -0.15, 0.15);
  for (const p of placed) {
    const ox = marginX + p.left;
    const oy = marginY + p.top - (p.box[1] / k) + 0.2 * size;
    for (let yy = 0; yy < Math.ceil(28 / k); yy++) {
      const y = Math.round(oy + yy);
      if (y < 0 || y >= h) continue;
      for (let xx = -Math.ceil(0.3 * size); xx < Math.ceil(28 / k + 0.3 * size); xx++) {
        const sx = Math.round(ox + xx);
        if (sx < 0 || sx >= w) continue;
        const v = sample(p.pixels, (xx + slant * (yy - 14 / k)) * k, yy * k);
        const i = y * w + sx;
        if (v > ink[i]) ink[i] = v;
      }
    }
  }
  const paper = [between(rng, 200, 250), between(rng, 195, 245), between(rng, 185, 240)];
  const pen = rng() < 0.5 ? [25, 25, 35] : [30, 50, 160];
  const shadow = between(rng, 0, 0.35);
  const grain = between(rng, 3, 14);
  const lined = rng() < 0.25;
  const ruled = (options.ruled ?? lined) ? Math.round(between(rng, 1.2, 1.8) * size) : 0;
  const baseline = Math.round(marginY + 0.2 * size + 20 / k) + ruled * 4;
  const rgb = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let xx = 0; xx < w; xx++) {
      const i = y * w + xx;
      const alpha = Math.min(1, Math.max(0, (ink[i] - 0.2) / 0.4));
      // Ruled paper: the digits stand on a line (their bottom), the next lines above and below.
      const onRule = ruled > 0 && (y - baseline) % ruled === 0;
      const light = 1 - shadow * (xx / w) + ((rng() - 0.5) * 2 * grain) / 255;
      for (let c = 0; c < 3; c++) {
        const base = onRule && alpha < 0.4 ? [120, 150, 220][c] : paper[c];
        const v = (base * (1 - alpha) + pen[c] * alpha) * light;
        rgb[i * 3 + c] = Math.max(0, Math.min(255, Math.round(v)));
      }
    }
  }
  let image = sharp(rgb, { raw: { width: w, height: h, channels: 3 } });
  if (rng() < 0.3) image = sharp(await image.blur(0.8).png().toBuffer());
  const format = rng() < 0.7 ? "jpeg" : "png";
  const bytes = format === "jpeg"
    ? await image.jpeg({ quality: 75 }).toBuffer()
    : await image.png().toBuffer();
  const number = indices.map((i) => String(set.labels![i])).join("");
  return { number, layout, bytes: new Uint8Array(bytes), format };
}
