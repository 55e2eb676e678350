import { deepEqual, equal, ok, rejects, throws } from "node:assert/strict";
import { deflateSync } from "node:zlib";
import sharp from "sharp";
import { decodeSmallPng } from "../src/preprocess/_png.ts";
import { preprocessImage } from "../src/preprocess/mod.ts";
import { pngHeaderData, pngOf } from "../src/bench/_hostile_corpus.ts";

/** A 67×41 test card: gradients in each channel, a diagonal, and a partly transparent band. */
function card(channels: 1 | 2 | 3 | 4): Uint8Array {
  const [w, h] = [67, 41];
  const data = new Uint8Array(w * h * channels);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = (y * w + x) * channels;
      for (let c = 0; c < channels; c++) {
        data[p + c] = (x * 3 + y * 5 + c * 70 + (x === y ? 99 : 0)) & 255;
      }
      if (channels % 2 === 0) data[p + channels - 1] = y < 10 ? x * 3 : 255;
    }
  }
  return data;
}

/** sharp's pixels, as `decodeGray` asks for them, with grey spread back to one or two bands. */
async function sharpPixels(png: Uint8Array, channels: number): Promise<Uint8Array> {
  const { data, info } = await sharp(png).toColourspace("srgb").raw({ depth: "uchar" })
    .toBuffer({ resolveWithObject: true });
  if (channels === info.channels) return new Uint8Array(data);
  const n = info.width * info.height;
  const out = new Uint8Array(n * channels);
  for (let i = 0; i < n; i++) {
    out[i * channels] = data[i * info.channels];
    if (channels === 2) out[i * channels + 1] = data[i * info.channels + 3];
  }
  return out;
}

for (const channels of [1, 2, 3, 4] as const) {
  for (const palette of channels >= 3 ? [false, true] : [false]) {
    const name = `${channels} band${channels > 1 ? "s" : ""}${palette ? " as a palette" : ""}`;
    Deno.test(`decodeSmallPng() reads a PNG of ${name} as sharp does`, async () => {
      const png = new Uint8Array(
        await sharp(card(channels), { raw: { width: 67, height: 41, channels } })
          .png(palette ? { palette: true, colours: 256, dither: 0 } : { compressionLevel: 6 })
          .toBuffer(),
      );
      const mine = decodeSmallPng(png);
      ok(mine !== null);
      equal(mine.width, 67);
      equal(mine.height, 41);
      deepEqual(mine.data, await sharpPixels(png, mine.channels));
    });
  }
}

Deno.test("decodeSmallPng() leaves 16-bit, interlaced and truncated PNGs to sharp", async () => {
  const raw = { raw: { width: 67, height: 41, channels: 3 as const } };
  const deep = await sharp(card(3), raw).png().toColourspace("rgb16").toBuffer();
  const laced = await sharp(card(3), raw).png({ progressive: true }).toBuffer();
  const whole = new Uint8Array(await sharp(card(3), raw).png().toBuffer());
  equal(decodeSmallPng(new Uint8Array(deep)), null);
  equal(decodeSmallPng(new Uint8Array(laced)), null);
  equal(decodeSmallPng(whole.subarray(0, whole.length - 40)), null);
});

Deno.test("decodeSmallPng() reads a PNG built chunk by chunk (the helper below is right)", () => {
  const rows = new Uint8Array(300 * 301); // filter 0, black
  const png = pngOf([
    ["IHDR", pngHeaderData(300, 300)],
    ["IDAT", new Uint8Array(deflateSync(rows))],
    ["IEND", new Uint8Array()],
  ]);
  const pixels = decodeSmallPng(png);
  ok(pixels !== null);
  equal(pixels.data.length, 300 * 300);
});

Deno.test("decodeSmallPng() refuses a 300×300 PNG whose pixel data inflates to 64 MiB", () => {
  const bomb = new Uint8Array(deflateSync(new Uint8Array(300 * 301 + (64 << 20))));
  const png = pngOf([["IHDR", pngHeaderData(300, 300)], ["IDAT", bomb], [
    "IEND",
    new Uint8Array(),
  ]]);
  ok(png.length < 100_000, `the bomb is ${png.length} bytes`);
  throws(() => decodeSmallPng(png), {
    name: "SyntaxError",
    message:
      "Cannot decode the PNG image: its compressed pixel data inflates to more than the 90300 bytes its 300×300 header promises",
  });
});

Deno.test("preprocessImage() answers a PNG zlib bomb with the decoder's refusal", async () => {
  const bomb = new Uint8Array(deflateSync(new Uint8Array(300 * 301 + (16 << 20))));
  const png = pngOf([["IHDR", pngHeaderData(300, 300)], ["IDAT", bomb], [
    "IEND",
    new Uint8Array(),
  ]]);
  await rejects(preprocessImage(png), { name: "SyntaxError", message: /inflates to more than/ });
});

Deno.test("decodeSmallPng() leaves a PNG with a bad CRC or no IEND to sharp", () => {
  const idat = new Uint8Array(deflateSync(new Uint8Array(100 * 101)));
  const good = pngOf([["IHDR", pngHeaderData(100, 100)], ["IDAT", idat], [
    "IEND",
    new Uint8Array(),
  ]]);
  ok(decodeSmallPng(good) !== null);
  const damaged = good.slice();
  damaged[40] ^= 0xff; // inside IDAT's data: its CRC no longer matches
  equal(decodeSmallPng(damaged), null);
  const noEnd = pngOf([["IHDR", pngHeaderData(100, 100)], ["IDAT", idat]]);
  equal(decodeSmallPng(noEnd), null);
  const notPng = good.slice();
  notPng[1] = 0x51;
  equal(decodeSmallPng(notPng), null);
});

Deno.test("decodeSmallPng() bounds a colour profile that inflates past 1 MiB", () => {
  const profile = new Uint8Array(deflateSync(new Uint8Array(64 << 20)));
  const iccp = new Uint8Array([...new TextEncoder().encode("bomb"), 0, 0, ...profile]);
  const idat = new Uint8Array(deflateSync(new Uint8Array(100 * 101)));
  const png = pngOf([
    ["IHDR", pngHeaderData(100, 100)],
    ["iCCP", iccp],
    ["IDAT", idat],
    ["IEND", new Uint8Array()],
  ]);
  equal(decodeSmallPng(png), null); // left to sharp, whose PNG reader caps chunk sizes itself
});
