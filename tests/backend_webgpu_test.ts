/**
 * The WebGPU backend with our split-reduction filter gradient: against tfjs' cpu backend, kernel
 * by kernel and over a few training steps. Runs wherever Deno finds a WebGPU adapter (CI installs
 * Mesa's software one, `mesa-vulkan-drivers`); skips, saying so, where there is none.
 */
import * as tf from "@tensorflow/tfjs";
import { ok } from "node:assert/strict";
import { selectBackend } from "../src/backend/mod.ts";
import {
  splitFilterGradientCalls,
  splitReduction,
  useSplitFilterGradient,
} from "../src/backend/_webgpu_conv_filter.ts";
import { createModel } from "../src/model/create_model.ts";

const adapter = await (globalThis.navigator as { gpu?: GPU }).gpu?.requestAdapter()
  .catch(() => null);
if (!adapter) {
  console.log("No WebGPU adapter here (install mesa-vulkan-drivers): the webgpu tests are skipped");
}
const ignore = !adapter;

/** Deterministic values in [-1, 1). */
function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

interface FilterCase {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: [number, number];
  pad: "valid" | "same";
}

const CASES: FilterCase[] = [
  { x: [32, 28, 28, 1], filter: [5, 5, 1, 8], strides: [1, 1], pad: "valid" }, // conv1, batch 32
  { x: [32, 12, 12, 8], filter: [5, 5, 8, 16], strides: [1, 1], pad: "valid" }, // conv2, batch 32
  { x: [128, 28, 28, 1], filter: [5, 5, 1, 8], strides: [1, 1], pad: "valid" }, // conv1, batch 128
  { x: [1, 28, 28, 1], filter: [5, 5, 1, 8], strides: [1, 1], pad: "valid" },
  { x: [3, 12, 12, 8], filter: [5, 5, 8, 16], strides: [1, 1], pad: "valid" },
  { x: [3, 9, 7, 2], filter: [3, 3, 2, 5], strides: [2, 2], pad: "same" },
  { x: [7, 11, 13, 3], filter: [4, 2, 3, 6], strides: [2, 3], pad: "same" },
  { x: [5, 6, 6, 17], filter: [6, 6, 17, 3], strides: [1, 1], pad: "valid" }, // 1×1 output
  { x: [2, 4, 5, 1], filter: [1, 1, 1, 1], strides: [1, 1], pad: "same" },
];

/** Conv2DBackpropFilter on the current backend, read back. */
async function filterGradient(c: FilterCase, x: Float32Array, dy: Float32Array, dyShape: number[]) {
  const xt = tf.tensor(x, c.x), dyt = tf.tensor(dy, dyShape);
  const dw = tf.engine().runKernel(tf.Conv2DBackpropFilter, { x: xt, dy: dyt }, {
    strides: c.strides,
    pad: c.pad,
    dataFormat: "NHWC",
    filterShape: c.filter,
  }) as tf.Tensor;
  const out = await dw.data() as Float32Array;
  tf.dispose([xt, dyt, dw]);
  return out;
}

Deno.test("splitReduction() covers the whole reduction, 16+ products a lane unless one slice", () => {
  for (const [total, filterSize] of [[18432, 200], [2048, 3200], [1, 1], [63, 5], [147456, 200]]) {
    const { chunks, slices, sliceLen } = splitReduction(total, filterSize);
    ok(chunks * 16 >= filterSize && (chunks - 1) * 16 < filterSize, `chunks ${chunks}`);
    ok(slices * sliceLen >= total && (slices - 1) * sliceLen < total, `${slices} × ${sliceLen}`);
    ok(slices === 1 || sliceLen >= 16 * 16, `${total}: ${slices} slices of ${sliceLen}`);
  }
});

Deno.test({
  name: "the webgpu filter gradient matches the cpu backend's (model shapes, odd shapes, strides)",
  ignore,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    for (const [i, c] of CASES.entries()) {
      const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad);
      const dyShape = [info.batchSize, info.outHeight, info.outWidth, info.outChannels];
      const x = values(c.x.reduce((a, b) => a * b), 2 * i + 1);
      const dy = values(dyShape.reduce((a, b) => a * b), 2 * i + 2);
      await selectBackend("cpu");
      const want = await filterGradient(c, x, dy, dyShape);
      await selectBackend("webgpu", { webgpuKernels: "split" });
      const before = splitFilterGradientCalls();
      const got = await filterGradient(c, x, dy, dyShape);
      ok(splitFilterGradientCalls() === before + 1, `Case ${i} did not run the split kernel`);
      // Sums of up to ~10^5 products of values in [-1, 1): float32 rounding grows with sqrt(n).
      const n = info.batchSize * info.outHeight * info.outWidth;
      const tolerance = 1e-5 * Math.max(1, Math.sqrt(n)) * 4;
      ok(got.length === want.length, `Case ${i}: ${got.length} weights, expected ${want.length}`);
      let worst = 0;
      for (let k = 0; k < want.length; k++) worst = Math.max(worst, Math.abs(got[k] - want[k]));
      ok(worst <= tolerance, `Case ${i} ${JSON.stringify(c)}: off by ${worst} (> ${tolerance})`);
      ok(want.some((v) => v !== 0), `Case ${i}: the cpu gradient is all zeros`);
    }
  },
});

/** Trains `steps` batches of 32 on the current backend from the same start; returns losses and weights. */
async function trainSteps(steps: number): Promise<{ losses: number[]; weights: Float32Array[] }> {
  const model = createModel({ seed: 7, dropout: 0 });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: "sparseCategoricalCrossentropy" });
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    const pixels = values(32 * 784, 100 + step).map((v) => (v + 1) / 2);
    const labels = Float32Array.from({ length: 32 }, (_, k) => (k * 7 + step) % 10);
    const [x, y] = [tf.tensor4d(pixels, [32, 28, 28, 1]), tf.tensor1d(labels)];
    losses.push(await model.trainOnBatch(x, y) as number);
    tf.dispose([x, y]);
  }
  const weights = await Promise.all(
    model.getWeights().map(async (w) => await w.data() as Float32Array),
  );
  model.dispose();
  return { losses, weights };
}

Deno.test({
  name: "a few training steps on webgpu (split filter gradient) track the cpu backend's",
  ignore,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await selectBackend("cpu");
    const cpu = await trainSteps(4);
    await selectBackend("webgpu", { webgpuKernels: "split" });
    const before = splitFilterGradientCalls();
    const gpu = await trainSteps(4);
    ok(splitFilterGradientCalls() - before >= 8, "The training steps did not run the split kernel");
    cpu.losses.forEach((l, i) =>
      ok(Math.abs(l - gpu.losses[i]) < 1e-4, `Step ${i}: cpu loss ${l}, webgpu ${gpu.losses[i]}`)
    );
    ok(cpu.losses[3] !== cpu.losses[0], "The loss never moved");
    cpu.weights.forEach((w, i) => {
      let worst = 0;
      for (let k = 0; k < w.length; k++) {
        worst = Math.max(worst, Math.abs(w[k] - gpu.weights[i][k]));
      }
      ok(worst < 1e-4, `Weight ${i} differs by ${worst} after 4 steps`);
    });
  },
});

Deno.test({
  name: "selectBackend('webgpu') takes the split kernel on a hardware adapter, tfjs' on software",
  ignore,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const c = CASES[4];
    const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad);
    const dyShape = [info.batchSize, info.outHeight, info.outWidth, info.outChannels];
    const x = values(c.x.reduce((a, b) => a * b), 21),
      dy = values(dyShape.reduce((a, b) => a * b), 22);
    const { fallbackAdapter } = await selectBackend("webgpu");
    const before = splitFilterGradientCalls();
    await filterGradient(c, x, dy, dyShape);
    const split = splitFilterGradientCalls() === before + 1;
    ok(
      split === !fallbackAdapter,
      `fallbackAdapter ${fallbackAdapter}, split kernel ran: ${split}`,
    );
  },
});

Deno.test({
  name: "useSplitFilterGradient(false) puts tfjs' stock kernel back, and its result agrees",
  ignore,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const c = CASES[0];
    const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad);
    const dyShape = [info.batchSize, info.outHeight, info.outWidth, info.outChannels];
    const x = values(c.x.reduce((a, b) => a * b), 11),
      dy = values(dyShape.reduce((a, b) => a * b), 12);
    await selectBackend("webgpu", { webgpuKernels: "stock" });
    const before = splitFilterGradientCalls();
    const stock = await filterGradient(c, x, dy, dyShape);
    ok(splitFilterGradientCalls() === before, "The stock setting still ran the split kernel");
    useSplitFilterGradient(true);
    const split = await filterGradient(c, x, dy, dyShape);
    ok(splitFilterGradientCalls() === before + 1, "useSplitFilterGradient(true) did not take");
    let worst = 0;
    for (let k = 0; k < stock.length; k++) worst = Math.max(worst, Math.abs(stock[k] - split[k]));
    ok(worst < 1e-3, `Stock and split differ by ${worst}`);
  },
});
