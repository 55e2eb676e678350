// The service built by createService() with its photo pipeline on Web Workers: it predicts, keeps
// its JSON errors, and stops its workers when closed.
import { equal, match } from "node:assert/strict";
import { createService, defaultConfig } from "../src/serve/mod.ts";
import { samplePhoto, samplePng } from "../src/bench/_sample_images.ts";

const MODEL_DIR = decodeURIComponent(new URL("../models/default/", import.meta.url).pathname);
const modelPath = await Deno.stat(`${MODEL_DIR}model.json`).then(() => MODEL_DIR, () => null);

type Init = Parameters<ReturnType<typeof createService>["app"]["request"]>[1];

// Hono's `request()` takes undici's RequestInit on some Deno versions: cast, as serve_app_test does.
const post = (bytes: Uint8Array, type: string): Init =>
  ({
    method: "POST",
    body: bytes as Uint8Array<ArrayBuffer>,
    headers: { "content-type": type },
  }) as Init;

Deno.test({
  name: "createService() with workers predicts, answers bad images with JSON errors, and closes",
  ignore: modelPath === null,
  async fn() {
    const config = { ...defaultConfig(), modelPath: modelPath!, backend: "wasm", workers: 2 };
    // Under `deno test` the first request waits while the workers' module is type-checked (seconds
    // on a busy machine): a time limit for that, not for the pipeline, would make this test flaky.
    config.limits = { ...config.limits, timeoutMs: 120_000 };
    const service = createService(config);
    try {
      await service.ready;
      const answers = await Promise.all(
        [await samplePng(7), await samplePhoto(3)].map(async (bytes, i) => {
          const res = await service.app.request(
            "/predict",
            post(bytes, ["image/png", "image/jpeg"][i]),
          );
          equal(res.status, 200);
          return await res.json();
        }),
      );
      equal(answers[0].digit, 7);
      equal(answers[1].digit, 3);
      const broken = (await samplePhoto(3)).slice(0, 2_000);
      const res = await service.app.request("/predict", post(broken, "image/jpeg"));
      equal(res.status, 400);
      const body = await res.json();
      equal(body.error.code, "invalid_image");
      match(body.error.message, /truncated or corrupt/);
    } finally {
      service.close();
    }
  },
});
