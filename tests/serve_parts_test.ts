// The edge service's building blocks: configuration from the environment, image headers read
// without decoding, and the PNG of the 28×28 the model saw.
import { deepEqual, equal, ok, throws } from "node:assert/strict";
import { Buffer } from "node:buffer";
import sharp from "sharp";
import { configFromEnv, DEFAULT_MODEL_PATH } from "../src/serve/config.ts";
import { readImageInfo } from "../src/preprocess/mod.ts";
import { inputDataUrl, topClasses } from "../src/serve/_predict.ts";
import { modelName } from "../src/serve/start_server.ts";
import { DEFAULT_LIMITS } from "../src/serve/types.ts";

Deno.test("configFromEnv() keeps the defaults for unset and empty variables", () => {
  const config = configFromEnv({ PORT: "", CORS_ORIGIN: " " });
  equal(config.port, 8000);
  equal(config.hostname, "0.0.0.0");
  equal(config.modelPath, DEFAULT_MODEL_PATH);
  equal(config.backend, "wasm");
  deepEqual(config.limits, DEFAULT_LIMITS);
  deepEqual(config.corsOrigins, []);
  equal(config.publishModel, true);
});

Deno.test("configFromEnv() reads every variable", () => {
  const config = configFromEnv({
    HOST: "127.0.0.1",
    PORT: "0",
    MODEL_PATH: "https://example.com/m/model.json",
    BACKEND: "cpu",
    MAX_BODY_BYTES: "1000",
    MAX_PIXELS: "2000",
    MAX_REQUEST_PIXELS: "2500",
    MAX_FILES: "3",
    TIMEOUT_MS: "4000",
    MAX_QUEUED: "5",
    ALLOWED_TYPES: "image/PNG, image/jpeg",
    CORS_ORIGIN: "*",
    PUBLISH_MODEL: "0",
  });
  equal(config.hostname, "127.0.0.1");
  equal(config.port, 0);
  equal(config.modelPath, "https://example.com/m/model.json");
  equal(config.backend, "cpu");
  deepEqual(config.limits, {
    maxBodyBytes: 1000,
    maxPixels: 2000,
    maxRequestPixels: 2500,
    maxFiles: 3,
    timeoutMs: 4000,
    maxQueued: 5,
    allowedTypes: ["image/png", "image/jpeg"],
  });
  deepEqual(config.corsOrigins, ["*"]);
  equal(config.publishModel, false);
});

Deno.test("configFromEnv() names the variable it cannot read", () => {
  throws(
    () => configFromEnv({ MAX_BODY_BYTES: "6MB" }),
    /Cannot read MAX_BODY_BYTES: .*found "6MB"/,
  );
  throws(() => configFromEnv({ TIMEOUT_MS: "0" }), RangeError);
  throws(() => configFromEnv({ PORT: "-1" }), RangeError);
  throws(() => configFromEnv({ PUBLISH_MODEL: "yes" }), /PUBLISH_MODEL/);
});

Deno.test("readImageInfo() reads type and size of PNG, JPEG, WebP and GIF files", async () => {
  const base = sharp({ create: { width: 37, height: 21, channels: 3, background: "#8a8" } });
  const cases: [string, Buffer][] = [
    ["image/png", await base.clone().png().toBuffer()],
    ["image/jpeg", await base.clone().jpeg().toBuffer()],
    ["image/jpeg", await base.clone().jpeg({ progressive: true }).toBuffer()],
    ["image/webp", await base.clone().webp().toBuffer()],
    ["image/webp", await base.clone().webp({ lossless: true }).toBuffer()],
    ["image/gif", await base.clone().gif().toBuffer()],
  ];
  for (const [type, bytes] of cases) {
    const info = readImageInfo(new Uint8Array(bytes));
    deepEqual(info, { type, width: 37, height: 21, orientation: 1, frames: 1 }, type);
  }
});

Deno.test("readImageInfo() reads the EXIF orientation of a JPEG and the frames of a GIF", async () => {
  const base = sharp({ create: { width: 40, height: 30, channels: 3, background: "#888" } });
  const rotated = await base.clone().jpeg().withMetadata({ orientation: 6 }).toBuffer();
  equal(readImageInfo(new Uint8Array(rotated))?.orientation, 6);
  const animated = await Deno.readFile(new URL("../fixtures/photos/animated.gif", import.meta.url));
  const info = readImageInfo(animated);
  ok(info !== null && info.frames !== null && info.frames > 1, `frames: ${info?.frames}`);
});

Deno.test("readImageInfo() grows a GIF's screen to hold a frame larger than it", () => {
  // A 16×16 screen, then one image descriptor of 65535×65535 at (0, 0) with no data.
  const gif = new Uint8Array([
    ...new TextEncoder().encode("GIF89a"),
    16,
    0,
    16,
    0,
    0,
    0,
    0, // screen, no global colour table
    0x2c,
    0,
    0,
    0,
    0,
    0xff,
    0xff,
    0xff,
    0xff,
    0, // image descriptor
    2,
    0, // LZW code size, no data
    0x3b,
  ]);
  deepEqual(readImageInfo(gif), {
    type: "image/gif",
    width: 65535,
    height: 65535,
    orientation: 1,
    frames: 1,
  });
});

Deno.test("readImageInfo() refuses SVG, HTML and short files", () => {
  const text = (s: string) => new TextEncoder().encode(s);
  equal(readImageInfo(text('<?xml version="1.0"?><svg/>')), null);
  equal(readImageInfo(text("<!doctype html>")), null);
  equal(readImageInfo(new Uint8Array([0x89, 0x50])), null);
  deepEqual(readImageInfo(new Uint8Array([0xff, 0xd8, 0xff])), {
    type: "image/jpeg",
    width: null,
    height: null,
    orientation: null,
    frames: 1,
  });
});

Deno.test("inputDataUrl() encodes pixels that decode back to the same values", async () => {
  const pixels = Float32Array.from({ length: 28 * 28 }, (_, i) => (i % 28) / 27);
  const url = await inputDataUrl(pixels);
  equal(url.startsWith("data:image/png;base64,"), true);
  const png = Buffer.from(url.slice(url.indexOf(",") + 1), "base64");
  const meta = await sharp(png).metadata();
  deepEqual([meta.format, meta.width, meta.height, meta.channels], ["png", 28, 28, 1]);
  const data = await sharp(png).extractChannel(0).raw().toBuffer();
  deepEqual(Array.from(data), Array.from(pixels, (v) => Math.round(v * 255)));
});

Deno.test("modelName() names a model by its folder, never its path", () => {
  equal(modelName("/home/someone/app/models/default/"), "default");
  equal(modelName("models/v2/model.json"), "v2");
  equal(modelName("https://user:pw@cdn.example/m/v3/model.json?token=x"), "v3");
});

Deno.test("topClasses() lists the k most likely digits, best first", () => {
  const row = Float32Array.from([0.01, 0.02, 0.6, 0.05, 0.02, 0.2, 0.03, 0.04, 0.02, 0.01]);
  deepEqual(topClasses(row, 3).map((t) => t.digit), [2, 5, 3]);
  equal(topClasses(row, 99).length, 10);
  equal(topClasses(row, 0).length, 1);
});

Deno.test({
  name: "batchPredictions() runs the model once for calls made together, each getting its rows",
  ignore: !(await Deno.stat(new URL("../models/default/model.json", import.meta.url)).then(
    () => true,
    () => false,
  )),
  async fn() {
    const { selectBackend } = await import("../src/backend/mod.ts");
    const { loadClassifier } = await import("../src/model/classifier.ts");
    const { batchPredictions } = await import("../src/serve/_batcher.ts");
    await selectBackend("wasm");
    const model = await loadClassifier(
      decodeURIComponent(new URL("../models/default/", import.meta.url).pathname),
    );
    const sizes: number[] = [];
    const counted = {
      predict: (batch: Float32Array, n: number) => (sizes.push(n), model.predict(batch, n)),
    };
    const batched = batchPredictions(counted);
    const inputs = [1, 2, 1].map((n, k) =>
      Float32Array.from({ length: n * 784 }, (_, i) => ((i * (k + 3)) % 17) / 16)
    );
    const together = await Promise.all(inputs.map((x) => batched.predict(x, x.length / 784)));
    deepEqual(sizes, [4]);
    for (const [k, x] of inputs.entries()) {
      const alone = await model.predict(x, x.length / 784);
      equal(together[k].length, alone.length);
      for (let i = 0; i < alone.length; i++) ok(Math.abs(together[k][i] - alone[i]) < 1e-5);
    }
    model.dispose();
  },
});
