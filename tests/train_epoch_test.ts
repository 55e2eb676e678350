import * as tf from "@tensorflow/tfjs";
import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { loadDigits } from "../src/data/mod.ts";
import { IMAGE_PIXELS } from "../src/data/types.ts";
import { adamOptimizer, registerSimdBackend } from "../src/kernels/mod.ts";
import { createModel } from "../src/model/create_model.ts";
import { runEpoch, scalePixels } from "../src/train/run_epoch.ts";

tf.env().set("PROD", true);

const COUNT = 100; // three batches of 32 and one of 4

async function digits() {
  const all = await loadDigits(); // the embedded MNIST test digits
  return {
    ...all,
    images: all.images.subarray(0, COUNT * IMAGE_PIXELS),
    labels: all.labels!.subarray(0, COUNT),
    count: COUNT,
  };
}

function compiled(backend: string): tf.LayersModel {
  const model = createModel({ seed: 5 });
  model.compile({
    optimizer: backend === "simd" ? adamOptimizer(1e-3) : tf.train.adam(1e-3),
    loss: "sparseCategoricalCrossentropy",
    metrics: ["accuracy"],
  });
  return model;
}

const order = Uint32Array.from({ length: COUNT }, (_, i) => (i * 37) % COUNT);

for (const backend of ["cpu", "simd"]) {
  Deno.test(`runEpoch() on ${backend} trains exactly as a trainOnBatch() loop: same weights, same mean loss`, async () => {
    await registerSimdBackend();
    await tf.setBackend(backend);
    const set = await digits();
    const a = compiled(backend);
    const losses: number[] = [];
    for (let from = 0; from < COUNT; from += 32) {
      const rows = order.subarray(from, from + 32);
      const images = new Uint8Array(rows.length * IMAGE_PIXELS);
      rows.forEach((r, i) =>
        images.set(set.images.subarray(r * IMAGE_PIXELS, (r + 1) * IMAGE_PIXELS), i * IMAGE_PIXELS)
      );
      const xs = tf.tensor4d(scalePixels(images, rows.length), [rows.length, 28, 28, 1]);
      const ys = tf.tensor2d(Array.from(rows, (r) => set.labels[r]), [rows.length, 1]);
      const [loss] = await a.trainOnBatch(xs, ys) as number[];
      losses.push(loss * rows.length);
      tf.dispose([xs, ys]);
    }
    const b = compiled(backend);
    const run = await runEpoch(b, set, {
      epoch: 1,
      epochs: 1,
      batchSize: 32,
      order,
      transform: scalePixels,
      shouldStop: () => false,
      progress: false,
    });
    equal(run.samples, COUNT);
    ok(run.completed);
    equal(run.loss, losses.reduce((p, q) => p + q, 0) / COUNT);
    const wa = a.getWeights().map((w) => w.dataSync());
    const wb = b.getWeights().map((w) => w.dataSync());
    wa.forEach((w, i) => deepEqual(wb[i], w, `Weight ${i} differs`));
    a.dispose();
    b.dispose();
  });
}

Deno.test("runEpoch() stops between batches when asked, and reports a diverging loss", async () => {
  await registerSimdBackend();
  await tf.setBackend("simd");
  const set = await digits();
  const model = compiled("simd");
  let asked = 0;
  const stopped = await runEpoch(model, set, {
    epoch: 1,
    epochs: 1,
    batchSize: 32,
    order,
    transform: scalePixels,
    shouldStop: () => ++asked > 2,
    progress: false,
  });
  equal(stopped.samples, 64);
  equal(stopped.completed, false);
  await rejects(
    () =>
      runEpoch(model, set, {
        epoch: 2,
        epochs: 2,
        batchSize: 32,
        order,
        transform: (images, n) => scalePixels(images, n).map(() => NaN),
        shouldStop: () => false,
        progress: false,
      }),
    /Training diverged in epoch 2 at batch 1: loss is NaN/,
  );
  model.dispose();
});
