import * as tf from "@tensorflow/tfjs";
import { deepEqual, equal, rejects } from "node:assert/strict";
import { join } from "node:path";
import { saveLayersModel } from "../src/io/mod.ts";
import { loadClassifier } from "../src/model/classifier.ts";
import { createModel } from "../src/model/create_model.ts";

/** Four deterministic pseudo-images in 0-1. */
function sampleBatch(n: number): Float32Array {
  return Float32Array.from({ length: n * 784 }, (_, i) => ((i * 7919) % 256) / 255);
}

async function withSavedModel(fn: (dir: string, model: tf.Sequential) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "export_classifier_" });
  const model = createModel({ seed: 3 });
  try {
    await saveLayersModel(model, join(dir, "model"));
    await fn(join(dir, "model"), model);
  } finally {
    model.dispose();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("loadClassifier() predicts as the saved layers model, from a folder and a model.json path", async () => {
  await withSavedModel(async (dir, model) => {
    const batch = sampleBatch(4);
    const expected = tf.tidy(() => model.predict(tf.tensor4d(batch, [4, 28, 28, 1])) as tf.Tensor)
      .dataSync();
    for (const where of [dir, join(dir, "model.json")]) {
      const classifier = await loadClassifier(where);
      equal(classifier.kind, "layers");
      equal(classifier.metadata, undefined);
      deepEqual(await classifier.predict(batch, 4), expected);
      classifier.dispose();
    }
  });
});

Deno.test("loadClassifier() loads over http from a loopback server", async () => {
  await withSavedModel(async (dir) => {
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
      const name = new URL(req.url).pathname.slice(1);
      try {
        return new Response(await Deno.readFile(join(dir, name)));
      } catch {
        return new Response("not found", { status: 404 });
      }
    });
    try {
      const local = await loadClassifier(dir);
      const remote = await loadClassifier(`http://127.0.0.1:${server.addr.port}/`);
      equal(remote.kind, "layers");
      deepEqual(await remote.predict(sampleBatch(2), 2), await local.predict(sampleBatch(2), 2));
      local.dispose();
      remote.dispose();
      await rejects(loadClassifier(`http://127.0.0.1:${server.addr.port}/nothing/`), {
        name: "NotFound",
        message: /nothing\/model\.json: expected HTTP 200, found 404/,
      });
    } finally {
      await server.shutdown();
    }
  });
});

Deno.test("loadClassifier() rejects a missing path, a file that is not a model and a wrong batch", async () => {
  await rejects(loadClassifier("no/such/model"), {
    name: "NotFound",
    message: "No model at no/such/model: expected no/such/model/model.json",
  });
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(join(dir, "model.json"), '{"hello": 1}');
    await rejects(loadClassifier(dir), {
      name: "TypeError",
      message: /model\.json: expected a tfjs model\.json .* found an object with the keys hello$/,
    });
    await Deno.writeTextFile(join(dir, "model.json"), "label,pixel0\n");
    await rejects(loadClassifier(dir), {
      name: "TypeError",
      message: /found text that is not JSON/,
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  await withSavedModel(async (dir) => {
    const classifier = await loadClassifier(dir);
    await rejects(classifier.predict(new Float32Array(783), 1), {
      name: "RangeError",
      message: "Cannot predict 1 images: expected 784 values (1 × 784), found 783",
    });
    classifier.dispose();
  });
});

Deno.test("saveLayersModel() replaces a model atomically and leaves no temporary folder", async () => {
  await withSavedModel(async (dir, model) => {
    await saveLayersModel(model, dir);
    const parent = join(dir, "..");
    const names = [...Deno.readDirSync(parent)].map((e) => e.name);
    deepEqual(names, ["model"]);
    deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), [
      "group1-shard1of1.bin",
      "model.json",
    ]);
  });
});
