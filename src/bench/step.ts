/**
 * `deno task bench step`: where one training step of the notebook's CNN goes on the simd backend
 * (batch 32, Adam 1e-3 as `adamOptimizer`): first `deno task train`'s loop (`runEpoch`, which
 * trains through `simdTrainStep()`) beside the same loop on the layers' own step and
 * `trainOnBatch` on ready tensors; then milliseconds per step by part of `simdTrainStep()`, and
 * of `trainOnBatch` from timing wrappers around every kernel of the backend, with its kernel
 * calls per step.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { parseArgs } from "node:util";
import { adamOptimizer, registerSimdBackend, SIMD_BACKEND, simdTrainStep } from "../kernels/mod.ts";
import { createModel } from "../model/create_model.ts";
import { runEpoch } from "../train/run_epoch.ts";
import { IMAGE_PIXELS } from "../data/types.ts";
import { writeFileAtomically } from "../io/mod.ts";

const BATCH = 32;
/** Batches per round: random digits, since only the time matters here. */
const BATCHES = 100;
const ADAM = "Adam's update (kernels and tfjs' work around them)";
const BOOKKEEPING = "tfjs and layers bookkeeping between kernels (forward, backward)";

type Inputs = Record<string, tf.TensorInfo | undefined>;

/** What `deno task bench step --out FILE` writes (`deno task readme` renders it). */
export interface StepBenchResult {
  bench: "step";
  /** When the run finished (ISO 8601). */
  date: string;
  /** The Deno version that ran it. */
  deno: string;
  /** The bench's flags, as given. */
  args: string[];
  rounds: number;
  threads: number;
  batchSize: number;
  /** `deno task train`'s loop (`runEpoch`, through `simdTrainStep()`), ms per step. */
  loopMsPerStep: number;
  /** The same loop on the layers' own step (`fused: false`), ms per step. */
  layersLoopMsPerStep: number;
  /** `trainOnBatch` on ready tensors, ms per step. */
  trainOnBatchMsPerStep: number;
  /** `simdTrainStep()` timed by part: ms and samples/s per step, ms per step by part. */
  stepMs: number;
  samplesPerSecond: number;
  parts: Array<{ part: string; ms: number }>;
  /** `trainOnBatch` timed by kernel: ms, samples/s, kernel calls and ms by part per step. */
  layers: {
    stepMs: number;
    samplesPerSecond: number;
    kernelCallsPerStep: number;
    parts: Array<{ part: string; ms: number }>;
  };
}

function size(t: tf.TensorInfo | undefined): number {
  return t === undefined ? 0 : t.shape.reduce((p, q) => p * q, 1);
}

/** The part of a step a kernel call belongs to (outside Adam's update). */
function partOf(name: string, inputs: Inputs): string {
  if (name.startsWith("Conv2D")) return "convolutions and their gradients";
  if (name.startsWith("MaxPool")) return "max pooling and its gradient";
  if (name.includes("MatMul")) return "dense layers' products";
  const [a, b] = Object.values(inputs);
  const big = size(a) >= 4096;
  const bias = name === "Add" && b?.shape.length === 1 && (a?.shape.length ?? 0) > 1;
  const activations = ["Relu", "Step", "SimdReluGrad"].includes(name) || bias ||
    (big && name === "Sum") || (big && name === "Multiply" && size(a) === size(b));
  return activations
    ? "relu, bias and dropout (forward, gradients)"
    : "loss, softmax, metrics, other";
}

/** Wraps every simd kernel in a timer; returns the totals (ms) by part and the call count. */
function instrument(inAdam: () => boolean): { ms: Map<string, number>; calls: () => number } {
  const ms = new Map<string, number>();
  let calls = 0;
  for (const config of tf.getKernelsForBackend(SIMD_BACKEND)) {
    const run = config.kernelFunc;
    tf.unregisterKernel(config.kernelName, SIMD_BACKEND);
    tf.registerKernel({
      ...config,
      kernelFunc: (args) => {
        const start = performance.now();
        const out = run(args);
        const part = inAdam() ? ADAM : partOf(config.kernelName, args.inputs as Inputs);
        ms.set(part, (ms.get(part) ?? 0) + performance.now() - start);
        calls++;
        return out;
      },
    });
  }
  return { ms, calls: () => calls };
}

/**
 * ms per step of the loop `deno task train` runs (`runEpoch`: batches formed from uint8 rows,
 * losses read a few times a second) through `simdTrainStep()` and through the layers' step,
 * beside `trainOnBatch` on tensors made beforehand (the step alone, as `model.fit` runs it),
 * in rotating order so that the machine's other load falls on all three alike.
 */
async function compareLoops(
  model: tf.LayersModel,
  rounds: number,
): Promise<
  { loopMsPerStep: number; layersLoopMsPerStep: number; trainOnBatchMsPerStep: number }
> {
  const images = new Uint8Array(BATCHES * BATCH * IMAGE_PIXELS).map((_, i) => (i * 37) % 256);
  const labels = Uint8Array.from({ length: BATCHES * BATCH }, (_, i) => i % 10);
  const set = { images, labels, count: BATCHES * BATCH, source: "bench" };
  const x = tf.tidy(() => tf.tensor4d(images, [BATCHES * BATCH, 28, 28, 1]).div(255));
  const y = tf.tensor2d(Array.from(labels), [BATCHES * BATCH, 1]);
  const xs = tf.tidy(() => tf.split(x, BATCHES)), ys = tf.tidy(() => tf.split(y, BATCHES));
  let loopMs = 0, layersLoopMs = 0, stepMs = 0;
  const loop =
    async () => (loopMs += (await runEpoch(model, set, { progress: false })).seconds * 1000);
  const layersLoop =
    async () => (layersLoopMs +=
      (await runEpoch(model, set, { progress: false, fused: false })).seconds *
      1000);
  const step = async () => {
    const start = performance.now();
    for (let b = 0; b < BATCHES; b++) await model.trainOnBatch(xs[b], ys[b]);
    stepMs += performance.now() - start;
  };
  const parts = [loop, layersLoop, step];
  for (let r = 0; r < 3 * rounds; r++) {
    for (let i = 0; i < 3; i++) await parts[(r + i) % 3](); // each goes first in a third of the rounds
  }
  const steps = 3 * rounds * BATCHES;
  console.log(
    `deno task train's loop (runEpoch, simdTrainStep): ${(loopMs / steps).toFixed(2)} ms/step; ` +
      `the loop on the layers' step: ${(layersLoopMs / steps).toFixed(2)} ms/step; ` +
      `trainOnBatch on ready tensors: ${(stepMs / steps).toFixed(2)} ms/step`,
  );
  tf.dispose([x, y, ...xs, ...ys]);
  return {
    loopMsPerStep: loopMs / steps,
    layersLoopMsPerStep: layersLoopMs / steps,
    trainOnBatchMsPerStep: stepMs / steps,
  };
}

/** ms per step of `simdTrainStep()` over `rounds` passes of the batches, and by part. */
function profileFused(
  model: tf.LayersModel,
  batches: tf.Tensor[][],
  rounds: number,
): { stepMs: number; parts: Array<{ part: string; ms: number }> } {
  const ms = new Map<string, number>();
  const timing = (part: string, t: number) => ms.set(part, (ms.get(part) ?? 0) + t);
  const step = simdTrainStep(model, { timing });
  if (step === null) throw new Error("simdTrainStep() declined the notebook's model");
  const data = batches.map(([x, y]) => [x.dataSync() as Float32Array, y.dataSync()] as const);
  const start = performance.now();
  for (let r = 0; r < rounds; r++) for (const [x, y] of data) step.run(x, y, BATCH);
  const steps = rounds * BATCHES;
  const stepMs = (performance.now() - start) / steps;
  step.dispose();
  const timed = [...ms.values()].reduce((p, q) => p + q, 0) / steps;
  const parts = [...ms.entries()].map(([part, total]) => ({ part, ms: total / steps }));
  parts.push({ part: "the rest (JavaScript between the parts)", ms: stepMs - timed });
  parts.sort((p, q) => q.ms - p.ms);
  return { stepMs, parts };
}

function printParts(parts: Array<{ part: string; ms: number }>): void {
  for (const { part, ms } of parts) console.log(`  ${part.padEnd(66)} ${ms.toFixed(2)} ms`);
}

/**
 * Runs the step profile. Flags: `--rounds N` (passes over 100 batches; default 3), `--threads N`
 * (the simd backend's threads; default 1), `--out FILE` (the figures as JSON, a
 * {@linkcode StepBenchResult}, which `deno task readme` turns into the README's figures). Prints
 * ms per step by part, largest first.
 *
 * @example
 * ```ts ignore
 * import { runBench } from "./step.ts";
 * await runBench(["--rounds", "1"]);
 * ```
 */
export async function runBench(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      rounds: { type: "string", default: "3" },
      threads: { type: "string", default: "1" },
      out: { type: "string" },
    },
  });
  const rounds = Number(values.rounds), threads = Number(values.threads);
  if (!Number.isInteger(rounds) || rounds < 1 || !Number.isInteger(threads) || threads < 1) {
    throw new RangeError(
      `Cannot run the step bench: expected --rounds >= 1 and --threads >= 1, found ${values.rounds} and ${values.threads}`,
    );
  }
  tf.env().set("PROD", true);
  await registerSimdBackend({ threads });
  await tf.setBackend(SIMD_BACKEND);
  const model = createModel({ seed: 1 });
  model.compile({
    optimizer: adamOptimizer(1e-3),
    loss: "sparseCategoricalCrossentropy",
    metrics: ["accuracy"],
  });
  const batches = Array.from({ length: BATCHES }, (_, i) => [
    tf.randomUniform([BATCH, 28, 28, 1], 0, 1, "float32", i),
    tf.tensor2d(Float32Array.from({ length: BATCH }, (_, j) => (i + j) % 10), [BATCH, 1]),
  ]);
  for (const [x, y] of batches.slice(0, 20)) await model.trainOnBatch(x, y); // warm-up
  const loops = await compareLoops(model, rounds);
  const fused = profileFused(model, batches, rounds);
  console.log(
    `simdTrainStep (${threads} thread${threads > 1 ? "s" : ""}): ${fused.stepMs.toFixed(2)} ` +
      `ms/step, ${(BATCH * 1000 / fused.stepMs).toFixed(0)} samples/s, no kernel calls`,
  );
  printParts(fused.parts);

  let adam = false, adamMs = 0;
  const optimizer = model.optimizer;
  const apply = optimizer.applyGradients.bind(optimizer);
  optimizer.applyGradients = (grads) => {
    adam = true;
    const start = performance.now();
    try {
      apply(grads);
    } finally {
      adamMs += performance.now() - start;
      adam = false;
    }
  };
  const { ms, calls } = instrument(() => adam);
  const start = performance.now();
  for (let r = 0; r < rounds; r++) for (const [x, y] of batches) await model.trainOnBatch(x, y);
  const steps = rounds * BATCHES;
  const step = (performance.now() - start) / steps;

  const inKernels = [...ms.values()].reduce((p, q) => p + q, 0) / steps;
  const adamKernels = (ms.get(ADAM) ?? 0) / steps;
  ms.set(ADAM, adamMs);
  const rows = [...ms.entries()].map(([part, total]) => ({ part, ms: total / steps }));
  rows.push({ part: BOOKKEEPING, ms: step - inKernels - (adamMs / steps - adamKernels) });
  rows.sort((p, q) => q.ms - p.ms);
  console.log(
    `the layers' step (trainOnBatch): ${step.toFixed(2)} ms/step, ` +
      `${(BATCH * 1000 / step).toFixed(0)} samples/s, ${
        (calls() / steps).toFixed(0)
      } kernel calls/step`,
  );
  printParts(rows);
  if (values.out !== undefined) {
    const result: StepBenchResult = {
      bench: "step",
      date: new Date().toISOString(),
      deno: Deno.version.deno,
      args,
      rounds,
      threads,
      batchSize: BATCH,
      ...loops,
      stepMs: fused.stepMs,
      samplesPerSecond: BATCH * 1000 / fused.stepMs,
      parts: fused.parts,
      layers: {
        stepMs: step,
        samplesPerSecond: BATCH * 1000 / step,
        kernelCallsPerStep: calls() / steps,
        parts: rows,
      },
    };
    await writeFileAtomically(values.out, JSON.stringify(result, null, 2) + "\n");
    console.log(`Wrote ${values.out}`);
  }
  tf.dispose(batches.flat());
  model.dispose();
  await registerSimdBackend({ threads: 1 });
}
