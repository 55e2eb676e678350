/**
 * The photo-like scenes of `fixtures/photos/`: how each looks (paper, ink, light, size, rotation,
 * format, EXIF orientation), and how it is painted around a 28×28 MNIST digit and encoded with
 * sharp.
 *
 * @module
 */
import sharp from "sharp";
import type { Prng } from "../../src/data/mod.ts";

/** How one scene looks. */
export interface Scene {
  file: string;
  digit: number;
  /** Which digit `digit` of MNIST's test set: 0 is the first one in t10k order. */
  index: number;
  width: number;
  height: number;
  paper: [number, number, number];
  ink: [number, number, number];
  /** Digit height in pixels. */
  size: number;
  /** Centre of the digit, as shares of width and height. */
  at?: [number, number];
  rotate?: number;
  shear?: number;
  /** Darkening from left to right (0-1). */
  shadow?: number;
  /** Amplitude of the paper's grain (0-255). */
  grain?: number;
  /** Ink strength (pencil < 1). */
  strength?: number;
  ruled?: boolean;
  /** Colour of a table around the sheet (the sheet then covers the middle 80 %). */
  table?: [number, number, number];
  border?: boolean;
  blur?: number;
  format: "jpeg" | "png" | "webp" | "gif" | "avif" | "png-alpha";
  /** EXIF orientation tag: the pixels are stored turned so that applying it makes them upright. */
  orientation?: 6 | 8 | 3;
}

export const SCENES: Scene[] = [
  {
    file: "paper_shadow_3.jpg",
    digit: 3,
    index: 0,
    width: 320,
    height: 240,
    paper: [235, 228, 210],
    ink: [25, 25, 30],
    size: 150,
    shadow: 0.45,
    grain: 14,
    format: "jpeg",
  },
  {
    file: "blue_ink_rotated_7.jpg",
    digit: 7,
    index: 1,
    width: 300,
    height: 300,
    paper: [244, 244, 240],
    ink: [30, 50, 170],
    size: 170,
    rotate: 12,
    grain: 8,
    blur: 1,
    format: "jpeg",
  },
  {
    file: "pencil_grey_5.jpg",
    digit: 5,
    index: 2,
    width: 280,
    height: 280,
    paper: [228, 226, 222],
    ink: [120, 120, 125],
    size: 160,
    grain: 10,
    strength: 0.8,
    format: "jpeg",
  },
  {
    file: "small_in_large_frame_2.jpg",
    digit: 2,
    index: 3,
    width: 1600,
    height: 1200,
    paper: [225, 225, 228],
    ink: [20, 20, 20],
    size: 110,
    at: [0.62, 0.4],
    grain: 10,
    shadow: 0.2,
    format: "jpeg",
  },
  {
    file: "exif_orientation_6_4.jpg",
    digit: 4,
    index: 4,
    width: 360,
    height: 270,
    paper: [240, 238, 232],
    ink: [10, 10, 10],
    size: 190,
    grain: 8,
    orientation: 6,
    format: "jpeg",
  },
  {
    file: "chalk_light_on_dark_8.png",
    digit: 8,
    index: 5,
    width: 240,
    height: 240,
    paper: [30, 60, 45],
    ink: [235, 235, 225],
    size: 170,
    grain: 12,
    format: "png",
  },
  {
    file: "canvas_border_0.png",
    digit: 0,
    index: 6,
    width: 200,
    height: 200,
    paper: [255, 255, 255],
    ink: [0, 0, 0],
    size: 150,
    border: true,
    format: "png",
  },
  {
    file: "canvas_dark_6.png",
    digit: 6,
    index: 7,
    width: 180,
    height: 180,
    paper: [0, 0, 0],
    ink: [255, 255, 255],
    size: 140,
    format: "png",
  },
  {
    file: "ruled_notebook_9.jpg",
    digit: 9,
    index: 8,
    width: 300,
    height: 300,
    paper: [248, 248, 244],
    ink: [20, 20, 60],
    size: 170,
    ruled: true,
    grain: 6,
    format: "jpeg",
  },
  {
    file: "transparent_1.png",
    digit: 1,
    index: 30,
    width: 200,
    height: 200,
    paper: [255, 255, 255],
    ink: [0, 0, 0],
    size: 150,
    format: "png-alpha",
  },
  {
    file: "perspective_webp_4.webp",
    digit: 4,
    index: 10,
    width: 260,
    height: 260,
    paper: [236, 236, 236],
    ink: [40, 40, 40],
    size: 160,
    shear: 0.3,
    rotate: -8,
    grain: 8,
    format: "webp",
  },
  {
    file: "sheet_on_dark_table_8.jpg",
    digit: 8,
    index: 16,
    width: 400,
    height: 300,
    paper: [236, 234, 228],
    ink: [20, 20, 25],
    table: [70, 50, 35],
    size: 150,
    grain: 10,
    shadow: 0.25,
    format: "jpeg",
  },
  {
    file: "phone_avif_0.avif",
    digit: 0,
    index: 17,
    width: 320,
    height: 320,
    paper: [226, 230, 236],
    ink: [35, 35, 60],
    size: 180,
    grain: 10,
    shadow: 0.3,
    format: "avif",
  },
  {
    file: "sticky_note_5.jpg",
    digit: 5,
    index: 11,
    width: 260,
    height: 260,
    paper: [250, 235, 120],
    ink: [20, 20, 20],
    size: 170,
    grain: 6,
    shadow: 0.3,
    format: "jpeg",
  },
  {
    file: "red_ink_blurred_6.jpg",
    digit: 6,
    index: 12,
    width: 300,
    height: 240,
    paper: [242, 240, 236],
    ink: [180, 30, 30],
    size: 170,
    blur: 2,
    grain: 8,
    format: "jpeg",
  },
  {
    file: "still_gif_2.gif",
    digit: 2,
    index: 13,
    width: 160,
    height: 160,
    paper: [255, 255, 255],
    ink: [0, 0, 0],
    size: 120,
    format: "gif",
  },
  {
    file: "exif_orientation_8_7.jpg",
    digit: 7,
    index: 14,
    width: 300,
    height: 260,
    paper: [238, 236, 230],
    ink: [15, 15, 15],
    size: 170,
    grain: 8,
    orientation: 8,
    format: "jpeg",
  },
  {
    file: "light_on_dark_photo_3.jpg",
    digit: 3,
    index: 15,
    width: 280,
    height: 280,
    paper: [40, 40, 45],
    ink: [230, 230, 220],
    size: 170,
    grain: 10,
    shadow: 0.3,
    format: "jpeg",
  },
];

function sampleDigit(d: Float32Array, x: number, y: number): number {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const at = (xx: number, yy: number) =>
    xx < 0 || yy < 0 || xx > 27 || yy > 27 ? 0 : d[yy * 28 + xx];
  const tx = x - x0;
  const ty = y - y0;
  return (at(x0, y0) * (1 - tx) + at(x0 + 1, y0) * tx) * (1 - ty) +
    (at(x0, y0 + 1) * (1 - tx) + at(x0 + 1, y0 + 1) * tx) * ty;
}

/** Paints one scene around the 28×28 digit `d` (floats 0-1, ink = 1): RGBA pixels. */
export function paint(s: Scene, d: Float32Array, rng: Prng): Uint8Array {
  const { width: w, height: h } = s;
  const rgba = new Uint8Array(w * h * 4);
  const [cx, cy] = [(s.at?.[0] ?? 0.5) * w, (s.at?.[1] ?? 0.5) * h];
  const k = 28 / s.size; // scene pixels → digit pixels
  const a = ((s.rotate ?? 0) * Math.PI) / 180;
  const [cos, sin, shear] = [Math.cos(a), Math.sin(a), s.shear ?? 0];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const dx = x - cx;
      const dy = y - cy;
      const rx = (cos * dx + sin * dy) * k;
      const ry = (-sin * dx + cos * dy) * k;
      const v = sampleDigit(d, rx - shear * ry + 13.5, ry + 13.5);
      let alpha = Math.min(1, Math.max(0, (v - 0.25) / 0.35)) * (s.strength ?? 1);
      if (s.ruled && y % 32 === 16) alpha = Math.max(alpha, 0.45);
      const edge = Math.min(x, y, w - 1 - x, h - 1 - y);
      if (s.border && edge >= 4 && edge < 7) alpha = 1;
      const light = 1 - (s.shadow ?? 0) * (x / w) + ((rng() - 0.5) * 2 * (s.grain ?? 0)) / 255;
      const i = (y * w + x) * 4;
      for (let c = 0; c < 3; c++) {
        const onTable = s.table && (Math.abs(x / w - 0.5) > 0.4 || Math.abs(y / h - 0.5) > 0.4);
        const paper = (onTable ? s.table![c] : s.paper[c]) * light;
        const lineInk = s.ruled && y % 32 === 16 && alpha === 0.45 ? [120, 150, 220][c] : s.ink[c];
        const inked = paper * (1 - alpha) + lineInk * light * alpha;
        rgba[i + c] = Math.max(0, Math.min(255, Math.round(inked)));
      }
      rgba[i + 3] = s.format === "png-alpha" ? Math.round(alpha * 255) : 255;
    }
  }
  return rgba;
}

export async function encode(s: Scene, rgba: Uint8Array): Promise<Uint8Array> {
  let img = sharp(rgba, { raw: { width: s.width, height: s.height, channels: 4 } });
  if (s.blur) img = sharp(await img.blur(s.blur).png().toBuffer());
  if (s.orientation) {
    // Store the pixels turned the other way; the tag turns them back.
    const undo = { 6: 270, 8: 90, 3: 180 }[s.orientation];
    img = sharp(await img.rotate(undo).png().toBuffer()).withMetadata({
      orientation: s.orientation,
    });
  }
  if (s.format === "jpeg") {
    return new Uint8Array(await img.flatten().jpeg({ quality: 70 }).toBuffer());
  }
  if (s.format === "webp") {
    return new Uint8Array(await img.flatten().webp({ quality: 70 }).toBuffer());
  }
  if (s.format === "avif") {
    return new Uint8Array(await img.flatten().avif({ quality: 50 }).toBuffer());
  }
  if (s.format === "gif") return new Uint8Array(await img.flatten().gif().toBuffer());
  if (s.format === "png-alpha") return new Uint8Array(await img.png({ palette: false }).toBuffer());
  return new Uint8Array(await img.flatten().png({ compressionLevel: 9 }).toBuffer());
}
