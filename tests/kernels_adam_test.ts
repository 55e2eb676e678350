import * as tf from "@tensorflow/tfjs";
import { deepEqual, equal, ok } from "node:assert/strict";
import { randoms } from "./_kernels_compare.ts";
import { adamOptimizer, registerSimdBackend, simdKernelCounts } from "../src/kernels/mod.ts";
import { ADAM, adamReference } from "../src/kernels/_adam.ts";

tf.env().set("PROD", true);

const SHAPES = [[5, 5, 1, 8], [8], [256, 128], [7], [3, 3]]; // tails of 1, 2 and 3 floats too

/** Variables after `steps` updates from fixed gradients, by `make`'s optimizer on `backend`. */
async function descend(
  backend: string,
  make: () => tf.Optimizer,
  steps: number,
): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const vars = SHAPES.map((s, i) =>
    tf.variable(tf.tensor(randoms(s.reduce((p, q) => p * q, 1), 10 + i), s))
  );
  const optimizer = make();
  for (let step = 0; step < steps; step++) {
    const grads = vars.map((v, i) => ({
      name: v.name,
      tensor: tf.tensor(randoms(v.size, 100 * step + i), v.shape).mul(step % 3 === 0 ? 1e-4 : 3),
    }));
    optimizer.applyGradients(grads);
    tf.dispose(grads.map((g) => g.tensor));
  }
  const out = await Promise.all(vars.map((v) => v.data() as Promise<Float32Array>));
  optimizer.dispose();
  tf.dispose(vars);
  return out;
}

Deno.test("adamOptimizer() on simd updates weights exactly as tf.train.adam on cpu, in SimdAdam kernels", async () => {
  await registerSimdBackend();
  const want = await descend("cpu", () => tf.train.adam(1e-3), 12);
  const before = simdKernelCounts().get(ADAM)?.fast ?? 0;
  const got = await descend("simd", () => adamOptimizer(1e-3), 12);
  const calls = (simdKernelCounts().get(ADAM)?.fast ?? 0) - before;
  ok(calls === 12 * SHAPES.length, `SimdAdam ran ${calls} times`);
  got.forEach((g, i) => deepEqual(g, want[i], `Variable ${i} differs`));
});

Deno.test("adamOptimizer() with other hyperparameters matches tf.train.adam bit for bit", async () => {
  await registerSimdBackend();
  const want = await descend("cpu", () => tf.train.adam(0.05, 0.8, 0.99, 1e-4), 7);
  const got = await descend("simd", () => adamOptimizer(0.05, 0.8, 0.99, 1e-4), 7);
  got.forEach((g, i) => deepEqual(g, want[i], `Variable ${i} differs`));
});

Deno.test("adamOptimizer() is tf.train.adam on a backend without SimdAdam", async () => {
  await registerSimdBackend();
  const want = await descend("cpu", () => tf.train.adam(1e-3), 3);
  const got = await descend("cpu", () => adamOptimizer(1e-3), 3);
  got.forEach((g, i) => deepEqual(g, want[i], `Variable ${i} differs`));
});

Deno.test("SimdAdam's JavaScript fallback equals its WebAssembly path bit for bit", async () => {
  await registerSimdBackend();
  await tf.setBackend("simd");
  const n = 37;
  const [x, m, v, g] = [1, 2, 3, 4].map((s) => tf.tensor1d(randoms(n, s)));
  const mPos = m.abs(), vPos = v.abs();
  const attrs = {
    beta1: Math.fround(0.9),
    oneMinusBeta1: Math.fround(1 - 0.9),
    beta2: Math.fround(0.999),
    oneMinusBeta2: Math.fround(1 - 0.999),
    c1: Math.fround(1 - Math.fround(0.9 * 0.9)),
    c2: Math.fround(1 - Math.fround(0.999 * 0.999)),
    epsilon: Math.fround(1e-7),
    negLr: Math.fround(-1e-3),
  };
  const inputs = { x, m: mPos, v: vPos, g };
  const fast = tf.engine().runKernel(ADAM, inputs, attrs) as tf.Tensor[];
  const backend = tf.backend() as Parameters<typeof adamReference>[0]["backend"];
  const reference = adamReference({ backend, inputs, attrs }).map((info) =>
    tf.engine().makeTensorFromTensorInfo(info)
  );
  for (let i = 0; i < 3; i++) deepEqual(fast[i].dataSync(), reference[i].dataSync());
  tf.dispose([x, m, v, g, mPos, vPos, ...fast, ...reference]);
});

const adapter = await (globalThis.navigator as { gpu?: GPU }).gpu?.requestAdapter().catch(() =>
  null
);

Deno.test({
  name: "adamOptimizer() on webgpu runs one SimdAdam kernel per variable and matches tf.train.adam",
  ignore: !adapter,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await import("@tensorflow/tfjs-backend-webgpu");
    const want = await descend("cpu", () => tf.train.adam(1e-3), 12);
    const got = await descend("webgpu", () => adamOptimizer(1e-3), 12);
    got.forEach((g, i) =>
      g.forEach((x, j) => {
        const tolerance = 1e-6 + 1e-5 * Math.abs(want[i][j]);
        ok(Math.abs(x - want[i][j]) <= tolerance, `Variable ${i}[${j}]: ${x}, want ${want[i][j]}`);
      })
    );
    const w = tf.variable(tf.ones([4, 3]));
    const optimizer = adamOptimizer(0.1);
    const profile = await tf.profile(() => {
      optimizer.minimize(() => w.square().sum());
      return [];
    });
    const names = profile.kernels.map((k) => k.name);
    equal(names.filter((n) => n === ADAM).length, 1, names.join(" "));
    ok(!names.includes("Sqrt"), `tfjs' own Adam ran: ${names.join(" ")}`);
    optimizer.dispose();
    w.dispose();
  },
});

Deno.test("adamOptimizer() after setWeights() continues as tf.train.adam does", async () => {
  await registerSimdBackend();
  const run = async (make: () => tf.AdamOptimizer, backend: string) => {
    await tf.setBackend(backend);
    const w = tf.variable(tf.tensor1d([1, -2, 3]));
    const first = make();
    for (let i = 0; i < 5; i++) first.minimize(() => w.square().sum());
    const saved = await first.getWeights();
    const second = make();
    await second.setWeights(saved);
    for (let i = 0; i < 3; i++) second.minimize(() => w.square().sum());
    const out = await w.data();
    w.dispose();
    first.dispose();
    second.dispose();
    return out;
  };
  deepEqual(
    await run(() => adamOptimizer(0.1), "simd"),
    await run(() => tf.train.adam(0.1), "cpu"),
  );
});
