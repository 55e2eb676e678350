/**
 * The bad inputs of `fixtures/photos/`: files the photo pipeline must refuse (not an image, a
 * truncated JPEG, one pixel, SVG, an animated GIF, a PNG whose header claims 900 million pixels)
 * or answer "no digit found" for (a blank page, clouds, coloured discs).
 *
 * @module
 */
import { crc32 } from "node:zlib";
import { Buffer } from "node:buffer";
import sharp from "sharp";
import { mulberry32, type Prng } from "../../src/data/mod.ts";
import { encode, paint, SCENES } from "./photo_scenes.ts";

/**
 * A PNG whose header claims 30,000 × 30,000 pixels and holds no pixel data, so it must be refused
 * from its header, unread: sharp's 1×1 grey PNG with the IHDR's width and height (and its CRC)
 * rewritten, and the pixel data left out.
 */
async function hugeHeaderPng(): Promise<Uint8Array> {
  const png = new Uint8Array(
    await sharp({ create: { width: 1, height: 1, channels: 3, background: "#fff" } })
      .toColourspace("b-w").png().toBuffer(),
  );
  const view = new DataView(png.buffer, png.byteOffset);
  if (view.getUint32(8) !== 13 || new TextDecoder().decode(png.subarray(12, 16)) !== "IHDR") {
    throw new SyntaxError(
      "Cannot read the IHDR of sharp's PNG: expected it right after the signature",
    );
  }
  const header = png.slice(0, 33); // signature (8) + IHDR length, type, 13 bytes of data, CRC
  const headerView = new DataView(header.buffer);
  headerView.setUint32(16, 30000);
  headerView.setUint32(20, 30000);
  headerView.setUint32(29, crc32(header.subarray(12, 29)));
  const iend = png.subarray(png.length - 12); // IEND: length 0, type, CRC
  const out = new Uint8Array(header.length + iend.length);
  out.set(header);
  out.set(iend, header.length);
  return out;
}

/** A smooth random texture (clouds, fur): ink everywhere, no digit. */
async function cloudsJpeg(rng: Prng): Promise<Uint8Array> {
  const [w, h, cells] = [300, 240, 12];
  const grid = Array.from({ length: (cells + 1) ** 2 }, () => rng() * 255);
  const g = (x: number, y: number) => grid[y * (cells + 1) + x];
  const rgb = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const [gx, gy] = [(x / w) * cells, (y / h) * cells];
      const [x0, y0] = [Math.floor(gx), Math.floor(gy)];
      const [tx, ty] = [gx - x0, gy - y0];
      const v = (g(x0, y0) * (1 - tx) + g(x0 + 1, y0) * tx) * (1 - ty) +
        (g(x0, y0 + 1) * (1 - tx) + g(x0 + 1, y0 + 1) * tx) * ty + (rng() - 0.5) * 40;
      for (let c = 0; c < 3; c++) {
        rgb[(y * w + x) * 3 + c] = Math.max(0, Math.min(255, v * [1, 0.8, 0.6][c]));
      }
    }
  }
  const raw = { width: w, height: h, channels: 3 as const };
  return new Uint8Array(await sharp(rgb, { raw }).jpeg({ quality: 70 }).toBuffer());
}

/** Coloured discs on grey: solid shapes, not pen strokes. */
async function blobsPng(rng: Prng): Promise<Uint8Array> {
  const [w, h] = [300, 240];
  const disc = () =>
    `<circle cx="${rng() * w}" cy="${rng() * h}" r="${5 + rng() * 30}" fill="rgb(${
      (rng() * 255) | 0
    },${(rng() * 255) | 0},${(rng() * 255) | 0})"/>`;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">` +
    `<rect width="100%" height="100%" fill="#ddd"/>${
      Array.from({ length: 25 }, disc).join("")
    }</svg>`;
  return new Uint8Array(await sharp(new TextEncoder().encode(svg)).png().toBuffer());
}

/**
 * The bad inputs of `fixtures/photos/`: name, bytes and the expected outcome. `firstDigit` is the
 * digit of the first scene (floats 0-1, ink = 1): that scene, cut in half, is `truncated.jpg`.
 */
export async function badInputs(
  firstDigit: Float32Array,
  rng: Prng,
): Promise<Array<[string, Uint8Array, string]>> {
  const empty = new Float32Array(784);
  const paper = paint({ ...SCENES[0], file: "", size: 1, digit: 0, grain: 10 }, empty, rng);
  const blank = await sharp(paper, { raw: { width: 320, height: 240, channels: 4 } }).flatten()
    .jpeg({ quality: 70 }).toBuffer();
  const good = await encode(SCENES[0], paint(SCENES[0], firstDigit, mulberry32(1)));
  const frame = (color: string) =>
    sharp({ create: { width: 40, height: 40, channels: 3, background: color } }).raw().toBuffer();
  const frames = Buffer.concat([await frame("#fff"), await frame("#000")]);
  const animated = await sharp(frames, {
    raw: { width: 40, height: 80, channels: 3, pageHeight: 40 },
  })
    .gif({ loop: 0, delay: [200, 200] }).toBuffer();
  const onePixel = await sharp({ create: { width: 1, height: 1, channels: 3, background: "#fff" } })
    .png().toBuffer();
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">` +
    `<image href="file:///etc/passwd" width="100" height="100"/><text x="40" y="60">7</text></svg>\n`;
  return [
    [
      "not_an_image.txt",
      new TextEncoder().encode("This is a shopping list, not a photo.\n"),
      "TypeError:Not an image",
    ],
    ["truncated.jpg", good.subarray(0, Math.floor(good.length / 2)), "SyntaxError:truncated"],
    ["one_pixel.png", new Uint8Array(onePixel), "RangeError:1×1"],
    ["blank_page.jpg", new Uint8Array(blank), "null:no digit found"],
    ["drawing.svg", new TextEncoder().encode(svg), "TypeError:SVG"],
    ["animated.gif", new Uint8Array(animated), "RangeError:Animated"],
    ["huge_header.png", await hugeHeaderPng(), "RangeError:900000000 pixels"],
    ["clouds_not_a_digit.jpg", await cloudsJpeg(mulberry32(5)), "null:no digit found"],
    ["blobs_not_a_digit.png", await blobsPng(mulberry32(6)), "null:no digit found"],
  ];
}
