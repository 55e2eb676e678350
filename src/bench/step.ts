/**
 * `deno task bench step`: where one training step of the notebook's CNN goes on the simd backend
 * (batch 32, Adam 1e-3 as `adamOptimizer`, `trainOnBatch`): milliseconds per step by part, from
 * timing wrappers around every kernel of the backend, and the kernel calls per step; first, the
 * cost of `deno task train`'s own loop (`runEpoch`) beyond the step.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { parseArgs } from "node:util";
import { adamOptimizer, registerSimdBackend, SIMD_BACKEND } from "../kernels/mod.ts";
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
  /** `deno task train`'s loop (`runEpoch`) and `trainOnBatch` on ready tensors, ms per step. */
  loopMsPerStep: number;
  trainOnBatchMsPerStep: number;
  /** The instrumented step: ms, samples/s and kernel calls. */
  stepMs: number;
  samplesPerSecond: number;
  kernelCallsPerStep: number;
  /** ms per step by part, largest first. */
  parts: Array<{ part: string; ms: number }>;
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
 * losses read a few times a second) beside `trainOnBatch` on tensors made beforehand (the step
 * alone, as `model.fit` runs it), rounds alternating so that the machine's other load falls on
 * both alike.
 */
async function compareLoops(
  model: tf.LayersModel,
  rounds: number,
): Promise<{ loopMsPerStep: number; trainOnBatchMsPerStep: number }> {
  const images = new Uint8Array(BATCHES * BATCH * IMAGE_PIXELS).map((_, i) => (i * 37) % 256);
  const labels = Uint8Array.from({ length: BATCHES * BATCH }, (_, i) => i % 10);
  const set = { images, labels, count: BATCHES * BATCH, source: "bench" };
  const x = tf.tidy(() => tf.tensor4d(images, [BATCHES * BATCH, 28, 28, 1]).div(255));
  const y = tf.tensor2d(Array.from(labels), [BATCHES * BATCH, 1]);
  const xs = tf.tidy(() => tf.split(x, BATCHES)), ys = tf.tidy(() => tf.split(y, BATCHES));
  let loopMs = 0, stepMs = 0;
  const loop =
    async () => (loopMs += (await runEpoch(model, set, { progress: false })).seconds * 1000);
  const step = async () => {
    const start = performance.now();
    for (let b = 0; b < BATCHES; b++) await model.trainOnBatch(xs[b], ys[b]);
    stepMs += performance.now() - start;
  };
  for (let r = 0; r < 2 * rounds; r++) {
    // Each goes first in half the rounds.
    for (const part of r % 2 === 0 ? [loop, step] : [step, loop]) await part();
  }
  const steps = 2 * rounds * BATCHES;
  console.log(
    `deno task train's loop (runEpoch): ${(loopMs / steps).toFixed(2)} ms/step; ` +
      `trainOnBatch on ready tensors: ${(stepMs / steps).toFixed(2)} ms/step ` +
      `(the loop's own cost: ${((loopMs - stepMs) / steps).toFixed(2)} ms/step)`,
  );
  tf.dispose([x, y, ...xs, ...ys]);
  return { loopMsPerStep: loopMs / steps, trainOnBatchMsPerStep: stepMs / steps };
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
  const rows = [...ms.entries()].map(([part, total]) => [part, total / steps] as const);
  rows.push([BOOKKEEPING, step - inKernels - (adamMs / steps - adamKernels)]);
  console.log(
    `simd (${threads} thread${threads > 1 ? "s" : ""}): ${step.toFixed(2)} ms/step, ` +
      `${(BATCH * 1000 / step).toFixed(0)} samples/s, ${
        (calls() / steps).toFixed(0)
      } kernel calls/step`,
  );
  rows.sort((p, q) => q[1] - p[1]);
  for (const [part, t] of rows) console.log(`  ${part.padEnd(66)} ${t.toFixed(2)} ms`);
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
      stepMs: step,
      samplesPerSecond: BATCH * 1000 / step,
      kernelCallsPerStep: calls() / steps,
      parts: rows.map(([part, ms]) => ({ part, ms })),
    };
    await writeFileAtomically(values.out, JSON.stringify(result, null, 2) + "\n");
    console.log(`Wrote ${values.out}`);
  }
  tf.dispose(batches.flat());
  model.dispose();
  await registerSimdBackend({ threads: 1 });
}
