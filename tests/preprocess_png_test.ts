import { deepEqual, equal, ok } from "node:assert/strict";
import sharp from "sharp";
import { decodeSmallPng } from "../src/preprocess/_png.ts";

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
