// The edge service in memory (app.request) with the real model and the real photo pipeline:
// answers for a PNG, a phone photo and a multipart form of two files; the model's files for the
// browser; and a flat tfjs tensor count over many requests.
import * as tf from "@tensorflow/tfjs";
import { deepEqual, equal, match, ok } from "node:assert/strict";
import { createApp } from "../src/serve/create_app.ts";
import { samplePhoto, samplePng } from "../src/bench/_sample_images.ts";
import { selectBackend } from "../src/backend/mod.ts";
import { loadClassifier } from "../src/model/classifier.ts";
import { preprocessImage } from "../src/preprocess/mod.ts";
import sharp from "sharp";

/** The committed model (the tests skip when it is absent). */
const MODEL_DIR = decodeURIComponent(new URL("../models/default/", import.meta.url).pathname);
const modelPath = await Deno.stat(`${MODEL_DIR}model.json`).then(() => MODEL_DIR, () => null);

async function makeApp() {
  await selectBackend("wasm");
  const classifier = await loadClassifier(modelPath!);
  const hono = createApp({
    classifier,
    preprocess: (bytes, options) => preprocessImage(bytes, options),
    modelFiles: modelPath,
    info: { backend: tf.getBackend() },
  });
  type Init = Parameters<typeof hono.request>[1];
  return (path: string, init?: RequestInit): Promise<Response> =>
    Promise.resolve(hono.request(path, init as Init));
}

const ignore = modelPath === null;
const request = ignore ? null : await makeApp();

const raw = (bytes: Uint8Array<ArrayBuffer>, type: string): RequestInit => ({
  method: "POST",
  body: bytes,
  headers: { "content-type": type },
});

Deno.test({
  name: "POST /predict reads a PNG of a 7 as 7, with top, input (when asked) and timings",
  ignore,
  async fn() {
    const res = await request!("/predict?input=1", raw(await samplePng(7, 64), "image/png"));
    equal(res.status, 200);
    const body = await res.json();
    equal(body.digit, 7);
    ok(body.probability > 0.5, `probability ${body.probability}`);
    equal(body.top.length, 3);
    equal(body.top[0].digit, 7);
    ok(body.top[0].probability >= body.top[1].probability);
    match(body.input, /^data:image\/png;base64,/);
    for (const stage of ["decode", "preprocess", "infer"]) ok(body.timings[stage] >= 0, stage);
    const plain = await request!("/predict", raw(await samplePng(7, 64), "image/png"));
    equal((await plain.json()).input, undefined);
  },
});

Deno.test({
  name: "POST /predict reads a 1.2-megapixel phone photo of a 3 as 3",
  ignore,
  async fn() {
    const jpeg = await samplePhoto(3, { width: 1280, height: 960 });
    const res = await request!("/predict?top=10", raw(jpeg, "image/jpeg"));
    equal(res.status, 200);
    const body = await res.json();
    equal(body.digit, 3);
    equal(body.top.length, 10);
  },
});

Deno.test({
  name: "POST /predict answers a list for a multipart form with two files",
  ignore,
  async fn() {
    const form = new FormData();
    form.append("image", new Blob([await samplePng(7, 64)], { type: "image/png" }), "seven.png");
    const photo = await samplePhoto(3, { width: 640, height: 480 });
    form.append("image", new Blob([photo], { type: "image/jpeg" }), "three.jpg");
    const res = await request!("/predict", { method: "POST", body: form });
    equal(res.status, 200);
    const body = await res.json();
    ok(Array.isArray(body));
    deepEqual(body.map((r: { name: string }) => r.name), ["seven.png", "three.jpg"]);
    deepEqual(body.map((r: { digit: number }) => r.digit), [7, 3]);
  },
});

Deno.test({
  name: "POST /predict answers 422 for a blank page and 400 for a damaged PNG",
  ignore,
  async fn() {
    const white = { width: 64, height: 64, channels: 3 as const, background: "#fff" };
    const blank = new Uint8Array(await sharp({ create: white }).png().toBuffer());
    const res = await request!("/predict", raw(blank, "image/png"));
    equal(res.status, 422);
    equal((await res.json()).error.code, "no_digit_found");
    const png = await samplePng(7, 64);
    const damaged = png.slice(0, 60);
    const bad = await request!("/predict", raw(damaged, "image/png"));
    equal(bad.status, 400);
    equal((await bad.json()).error.code, "invalid_image");
  },
});

Deno.test({
  name: "GET /readyz, /model/… and /vendor/tf.min.js serve what the page needs",
  ignore,
  async fn() {
    const ready = await request!("/readyz");
    equal(ready.status, 200);
    equal((await ready.json()).backend, "wasm");
    const modelJson = await request!("/model/model.json");
    equal(modelJson.status, 200);
    const manifest = (await modelJson.json()).weightsManifest;
    const weights = await request!(`/model/${manifest[0].paths[0]}`);
    equal(weights.status, 200);
    ok((await weights.arrayBuffer()).byteLength > 1000);
    equal((await request!("/model/..%2Fdeno.json")).status, 404);
    const tfjs = await request!("/vendor/tf.min.js");
    equal(tfjs.status, 200);
    ok((await tfjs.text()).length > 500_000);
    const page = await request!("/");
    match(await page.text(), /capture="environment"/);
  },
});

Deno.test({
  name: "POST /predict leaves tf.memory().numTensors flat over 60 requests",
  ignore,
  async fn() {
    const png = await samplePng(4, 64);
    const form = new FormData();
    form.append("image", new Blob([png]), "a.png");
    form.append("image", new Blob([png]), "b.png");
    await request!("/predict", raw(png, "image/png")); // warm-up
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) {
      equal((await request!("/predict", raw(png, "image/png"))).status, 200);
      equal((await request!("/predict", { method: "POST", body: form })).status, 200);
      equal((await request!("/predict", raw(new Uint8Array([1, 2, 3]), "image/png"))).status, 415);
    }
    equal(tf.memory().numTensors, before);
  },
});
