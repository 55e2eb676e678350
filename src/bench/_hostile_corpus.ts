// The hostile corpus of `deno task bench hostile` and tests/serve_hostile_test.ts: bombs, damaged
// files of every type, lying content types, animated files, oversized forms and a slow body, each
// with the answers the service may give. Made here, deterministically, from sharp's own output.
import { Buffer } from "node:buffer";
import { crc32, deflateSync } from "node:zlib";
import sharp from "sharp";

/** One hostile request and the answers allowed for it. */
export interface HostileCase {
  /** Short name, for the report. */
  name: string;
  /** What it tries. */
  about: string;
  /** The request body: bytes, a form, or `"slow"` (8 bytes of a PNG, then nothing). */
  body: Uint8Array | FormData | "slow";
  /** The `Content-Type` sent with a byte body. */
  type?: string;
  /** Statuses the service may answer with, and the error code expected with each (`""`: any). */
  expect: Record<number, string>;
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

function chunk(name: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(text(name), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * A PNG made chunk by chunk: the signature, then each `[name, data]` with its length and CRC (as
 * given: nothing is checked, so a test can leave out IEND or damage a chunk afterwards).
 */
export function pngOf(chunks: Array<[string, Uint8Array]>): Uint8Array {
  const signature = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return concat(signature, ...chunks.map(([name, data]) => chunk(name, data)));
}

/** The `IHDR` data of an 8-bit, not interlaced image of colour type `type` (0 grey, 2 RGB). */
export function pngHeaderData(width: number, height: number, type = 0): Uint8Array {
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr.set([8, type, 0, 0, 0], 8);
  return ihdr;
}

/** A grey PNG of `width × height` whose image data inflates to `inflated` bytes of zeros. */
export function pngBomb(width: number, height: number, inflated: number): Uint8Array {
  const idat = deflateSync(new Uint8Array(inflated), { level: 9 });
  return pngOf([
    ["IHDR", pngHeaderData(width, height)],
    ["IDAT", new Uint8Array(idat)],
    ["IEND", new Uint8Array(0)],
  ]);
}

/** The first 33 bytes of a PNG that claims `width × height`. */
function pngHeader(width: number, height: number): Uint8Array {
  return pngOf([["IHDR", pngHeaderData(width, height, 2)]]);
}

/** A GIF with a 16×16 screen and one 65535×65535 frame. */
function gifHugeFrame(): Uint8Array {
  return concat(
    text("GIF89a"),
    new Uint8Array([16, 0, 16, 0, 0x80, 0, 0, 0, 0, 0, 255, 255, 255]),
    new Uint8Array([0x2c, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 2, 2, 0x4c, 0x01, 0, 0x3b]),
  );
}

/** A JPEG whose start-of-frame claims `width × height`, and no scan. */
function jpegHeader(width: number, height: number): Uint8Array {
  const sof = new Uint8Array([
    0xff,
    0xc0,
    0,
    17,
    8,
    height >> 8,
    height & 255,
    width >> 8,
    width & 255,
    3,
    1,
    0x22,
    0,
    2,
    0x11,
    1,
    3,
    0x11,
    1,
  ]);
  return concat(new Uint8Array([0xff, 0xd8]), sof, new Uint8Array([0xff, 0xd9]));
}

/** A WebP (`VP8X`) whose canvas claims `width × height`. */
function webpHeader(width: number, height: number): Uint8Array {
  const out = new Uint8Array(30);
  out.set(text("RIFF"), 0);
  new DataView(out.buffer).setUint32(4, 22, true);
  out.set(text("WEBPVP8X"), 8);
  new DataView(out.buffer).setUint32(16, 10, true);
  const w = width - 1;
  const h = height - 1;
  out.set([w & 255, (w >> 8) & 255, w >> 16, h & 255, (h >> 8) & 255, h >> 16], 24);
  return out;
}

/** `bytes` with the CRC of its first chunk after the header flipped. */
function badCrc(png: Uint8Array): Uint8Array {
  const out = png.slice();
  out[29] ^= 0xff; // last byte of IHDR's CRC
  return out;
}

function withoutIend(png: Uint8Array): Uint8Array {
  return png.slice(0, png.length - 12);
}

/** Deterministic noise. */
function noise(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let s = seed >>> 0;
  for (let i = 0; i < length; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

const mib = (bytes: number): string => `${Math.round(bytes / (1 << 20))} MiB`;

const INVALID = { 400: "invalid_image" };
const DECODED = { 200: "", 422: "no_digit_found", 400: "invalid_image" };

/**
 * Builds the hostile corpus. `maxBodyBytes` sizes the oversized bodies, `maxFiles` the form with
 * one file too many; `bombBytes` is what the largest zlib bombs inflate to (1 GiB in the bench; a
 * test may ask for less).
 */
export async function hostileCorpus(
  limits: { maxBodyBytes: number; maxFiles: number },
  bombBytes = 1 << 30,
): Promise<HostileCase[]> {
  const scene = sharp({ create: { width: 600, height: 400, channels: 3, background: "#f4f1ea" } })
    .composite([{
      input: { create: { width: 30, height: 220, channels: 3, background: "#202840" } },
      left: 285,
      top: 90,
    }]);
  const png = new Uint8Array(await scene.clone().png().toBuffer());
  const smallPng = new Uint8Array(await sharp(png).resize(300, 200).png().toBuffer());
  const jpeg = new Uint8Array(await scene.clone().jpeg({ quality: 85 }).toBuffer());
  const webp = new Uint8Array(await scene.clone().webp().toBuffer());
  const gif = new Uint8Array(await scene.clone().gif().toBuffer());
  // Three frames of 64×64: white, grey, white.
  const frames = await Promise.all(
    ["#fff", "#888", "#fff"].map((background) =>
      sharp({ create: { width: 64, height: 64, channels: 3, background } }).png().toBuffer()
    ),
  );
  const animated = sharp(frames, { join: { animated: true } });
  const animatedGif3 = new Uint8Array(await animated.clone().gif({ loop: 0 }).toBuffer());
  const animatedWebp = new Uint8Array(await animated.clone().webp({ loop: 0 }).toBuffer());
  const cut = (bytes: Uint8Array, share: number) =>
    bytes.slice(0, Math.floor(bytes.length * share));
  const garbleJpeg = jpeg.slice();
  garbleJpeg.set(noise(garbleJpeg.length - 800, 7), 600);
  const svg = text(
    '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>',
  );
  const manyFiles = new FormData();
  for (let i = 0; i <= limits.maxFiles; i++) {
    manyFiles.append(
      "image",
      new Blob([smallPng as Uint8Array<ArrayBuffer>], { type: "image/png" }),
      `${i}.png`,
    );
  }
  const bigForm = new FormData();
  const big = new Uint8Array(limits.maxBodyBytes + 1);
  big.set(smallPng.subarray(0, big.length));
  bigForm.append("image", new Blob([big], { type: "image/png" }), "big.png");
  const quarter = Math.max(1 << 20, bombBytes >> 2);
  const bomb = pngBomb(300, 300, quarter);
  const bombForm = new FormData();
  for (let i = 0; i < 5; i++) {
    bombForm.append("image", new Blob([bomb as Uint8Array<ArrayBuffer>]), `bomb${i}.png`);
  }
  return [
    {
      name: "png-zlib-bomb",
      about: `300×300 PNG whose data inflates to ${mib(quarter)}`,
      body: bomb,
      type: "image/png",
      expect: INVALID,
    },
    {
      name: "png-zlib-bomb-big",
      about: `300×300 PNG whose data inflates to ${mib(bombBytes)}`,
      body: pngBomb(300, 300, bombBytes),
      type: "image/png",
      expect: INVALID,
    },
    {
      name: "png-zlib-bomb-16mp",
      about: `4000×4000 PNG whose data inflates to ${mib(bombBytes)}`,
      body: pngBomb(4000, 4000, bombBytes),
      type: "image/png",
      expect: DECODED,
    },
    {
      name: "png-zeros-36mp",
      about: "6000×6000 grey PNG of zeros (36 MP, in budget)",
      body: pngBomb(6000, 6000, 6000 * 6001),
      type: "image/png",
      expect: DECODED,
    },
    {
      name: "form-5-bombs",
      about: `multipart of five ${mib(quarter)} PNG bombs`,
      body: bombForm,
      expect: INVALID,
    },
    {
      name: "png-pixel-bomb",
      about: "PNG header claiming 100000×100000",
      body: pngHeader(100_000, 100_000),
      type: "image/png",
      expect: { 413: "too_many_pixels" },
    },
    {
      name: "jpeg-pixel-bomb",
      about: "JPEG header claiming 65500×65500",
      body: jpegHeader(65_500, 65_500),
      type: "image/jpeg",
      expect: { 413: "too_many_pixels" },
    },
    {
      name: "webp-pixel-bomb",
      about: "WebP canvas of 16383×16383",
      body: webpHeader(16_383, 16_383),
      type: "image/webp",
      expect: { 413: "too_many_pixels" },
    },
    {
      name: "gif-huge-frame",
      about: "GIF with a 16×16 screen and a 65535×65535 frame",
      body: gifHugeFrame(),
      type: "image/gif",
      expect: { 413: "too_many_pixels" },
    },
    {
      name: "png-truncated",
      about: "PNG cut at 60 %",
      body: cut(png, 0.6),
      type: "image/png",
      expect: INVALID,
    },
    {
      name: "jpeg-truncated",
      about: "JPEG cut at 60 %",
      body: cut(jpeg, 0.6),
      type: "image/jpeg",
      expect: INVALID,
    },
    {
      name: "webp-truncated",
      about: "WebP cut at 60 %",
      body: cut(webp, 0.6),
      type: "image/webp",
      expect: INVALID,
    },
    {
      name: "gif-truncated",
      about: "GIF cut at 60 %",
      body: cut(gif, 0.6),
      type: "image/gif",
      expect: INVALID,
    },
    {
      name: "png-header-only",
      about: "the first 33 bytes of a PNG",
      body: png.slice(0, 33),
      type: "image/png",
      expect: INVALID,
    },
    {
      name: "png-bad-crc",
      about: "PNG with a damaged IHDR CRC",
      body: badCrc(smallPng),
      type: "image/png",
      expect: DECODED,
    },
    {
      name: "png-no-iend",
      about: "PNG without IEND",
      body: withoutIend(smallPng),
      type: "image/png",
      expect: DECODED,
    },
    {
      name: "jpeg-garbled",
      about: "JPEG with noise in place of its scan",
      body: garbleJpeg,
      type: "image/jpeg",
      expect: DECODED,
    },
    {
      name: "noise",
      about: "64 KiB of noise as image/png",
      body: noise(65536, 3),
      type: "image/png",
      expect: { 415: "unsupported_media_type" },
    },
    {
      name: "svg-xxe-as-png",
      about: "SVG with an external entity, sent as image/png",
      body: svg,
      type: "image/png",
      expect: { 415: "unsupported_media_type" },
    },
    {
      name: "html-as-gif",
      about: "HTML sent as image/gif",
      body: text("<!doctype html><p>7"),
      type: "image/gif",
      expect: { 415: "unsupported_media_type" },
    },
    {
      name: "png-as-jpeg",
      about: "a PNG sent as image/jpeg",
      body: png,
      type: "image/jpeg",
      expect: DECODED,
    },
    {
      name: "png-as-text",
      about: "a PNG sent as text/plain",
      body: png,
      type: "text/plain",
      expect: { 415: "unsupported_media_type" },
    },
    {
      name: "empty",
      about: "an empty image/png body",
      body: new Uint8Array(0),
      type: "image/png",
      expect: { 400: "bad_request" },
    },
    {
      name: "gif-animated",
      about: "GIF of 3 frames",
      body: animatedGif3,
      type: "image/gif",
      expect: INVALID,
    },
    {
      name: "webp-animated",
      about: "WebP of 3 frames",
      body: animatedWebp,
      type: "image/webp",
      expect: INVALID,
    },
    {
      name: "form-too-many-files",
      about: `multipart of ${limits.maxFiles + 1} PNGs`,
      body: manyFiles,
      expect: { 413: "too_many_files" },
    },
    {
      name: "form-too-large",
      about: "multipart one byte over the body limit",
      body: bigForm,
      expect: { 413: "payload_too_large" },
    },
    {
      name: "body-too-large",
      about: "raw body one byte over the limit",
      body: big,
      type: "image/png",
      expect: { 413: "payload_too_large" },
    },
    {
      name: "slow-body",
      about: "8 bytes of a PNG, then nothing until the time limit",
      body: "slow",
      type: "image/png",
      expect: { 408: "request_timeout" },
    },
  ];
}

/** Whether a status and code are among those a case allows. */
export function expected(item: HostileCase, status: number, code: string): boolean {
  const want = item.expect[status];
  return want !== undefined && (want === "" || want === code);
}

/** The bytes of a case's body as `fetch` takes them (the slow body is sent by the caller). */
export function bodyOf(item: HostileCase): BodyInit {
  if (item.body === "slow") throw new TypeError(`Case ${item.name} sends its body slowly`);
  return item.body instanceof FormData ? item.body : Buffer.from(item.body);
}
