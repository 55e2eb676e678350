/**
 * `deno task bench train`: training samples/s of the notebook's CNN (batch 32, Adam 1e-3) on
 * tfjs backends, through the loop `deno task train` runs (`runEpoch`), beside PyTorch at one and
 * two threads on the same rows of data, with the ratio to PyTorch's better thread count. Both
 * sides time the same window: the training steps of `--epochs` epochs, after a warm-up of two
 * batches, validation excluded.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { parseArgs } from "node:util";
import { type DigitSet, limitDigits, loadDigits, splitDigits } from "../data/mod.ts";
import { adamOptimizer, registerSimdBackend } from "../kernels/mod.ts";
import { selectBackend } from "../backend/mod.ts";
import { createModel } from "../model/create_model.ts";
import { exists, writeFileAtomically } from "../io/mod.ts";
import { evaluateModel } from "../train/evaluate.ts";
import { runEpoch } from "../train/run_epoch.ts";

const KAGGLE = new URL("../../../shared/data/kaggle/train.csv.gz", import.meta.url);
const TORCH = new URL("../../../shared/bench/torch_seed.py", import.meta.url);
const PYTHON = "/usr/bin/python3";
const BATCH = 32;
/** The simd backend with its helper thread (two cores), as a bench entry. */
const SIMD_TWO_THREADS = "simd-2t";
/** WebGPU with tfjs' stock filter-gradient kernel instead of ours, as a bench entry. */
const WEBGPU_STOCK = "webgpu-stock";
/** Backends that take seconds per batch here: they train this many samples only. */
const SLOW_SAMPLES: Record<string, number> = { cpu: 256, webgpu: 256, [WEBGPU_STOCK]: 256 };

/** One entry's figures. */
export interface BenchResult {
  /** A tfjs backend, or `pytorch-1t` / `pytorch-2t`. */
  backend: string;
  samplesPerSecond: number | null;
  /** Samples in the timed window. */
  samples: number;
  /** Validation accuracy after the timed epochs, when measured. */
  valAccuracy: number | null;
  note: string;
}

/** What `--out` holds (`deno task readme` turns it into the README's figures). */
export interface TrainBenchReport {
  bench: "train";
  /** When the run finished (ISO 8601). */
  date: string;
  /** The Deno version that ran it. */
  deno: string;
  /** The bench's flags, as given. */
  args: string[];
  /** Rounds run; each entry keeps its fastest. */
  rounds: number;
  data: string;
  trainSize: number;
  validationSize: number;
  epochs: number;
  batchSize: number;
  results: BenchResult[];
  /** The faster PyTorch entry, or null when PyTorch did not run. */
  pytorchBest: string | null;
  /** Each tfjs backend's samples/s over PyTorch's best, by backend. */
  ratios: Record<string, number>;
}

/** Starts backend `name`; returns a note for its row and whether it is slow here. */
async function startBackend(name: string): Promise<{ note: string; slow: boolean }> {
  if (name === "webgpu" || name === WEBGPU_STOCK) {
    const info = await selectBackend("webgpu", {
      training: true,
      webgpuKernels: name === WEBGPU_STOCK ? "stock" : "split",
    });
    const kernel = name === WEBGPU_STOCK ? "stock" : "split-reduction";
    const note = `adapter "${info.adapter}" isFallbackAdapter=${info.fallbackAdapter}, ` +
      `${kernel} filter gradient`;
    return { note, slow: info.fallbackAdapter === true };
  }
  let backend = name;
  if (name === "simd" || name === SIMD_TWO_THREADS) {
    await registerSimdBackend({ threads: name === "simd" ? 1 : 2 });
    backend = "simd";
  }
  if (name === "wasm") (await import("../backend/wasm.ts")).registerWasmBackend();
  if (!(await tf.setBackend(backend))) throw new Error(`tf.setBackend("${backend}") failed`);
  await tf.ready();
  return { note: "", slow: name === "cpu" };
}

function none(backend: string, note: string): BenchResult {
  return { backend, samplesPerSecond: null, samples: 0, valAccuracy: null, note };
}

/** Trains `epochs` epochs of `train` on backend `name` with `runEpoch`, timing the steps. */
async function benchBackend(
  name: string,
  sets: { train: DigitSet; validation: DigitSet },
  epochs: number,
  batchSize: number,
): Promise<BenchResult> {
  let note: string, slow: number | undefined;
  try {
    const started = await startBackend(name);
    note = started.note;
    slow = started.slow ? SLOW_SAMPLES[name] : undefined;
  } catch (e) {
    return none(name, `unavailable: ${e}`);
  }
  const train = slow === undefined ? sets.train : limitDigits(sets.train, slow);
  const model = createModel({ seed: 1 });
  model.compile({
    optimizer: adamOptimizer(1e-3),
    loss: "sparseCategoricalCrossentropy",
    metrics: ["accuracy"],
  });
  try {
    // Warm-up: two batches compile shaders and first-call paths outside the timing.
    await runEpoch(model, limitDigits(train, 2 * batchSize), { batchSize, progress: false });
    let samples = 0, seconds = 0;
    for (let epoch = 1; epoch <= (slow === undefined ? epochs : 1); epoch++) {
      const run = await runEpoch(model, train, { epoch, epochs, batchSize, progress: false });
      samples += run.samples;
      seconds += run.seconds;
      note = [note, `loss ${run.loss.toFixed(4)}`].filter((s) => s).join(", ");
    }
    const valAccuracy = slow === undefined
      ? (await evaluateModel(model, sets.validation)).accuracy
      : null;
    return { backend: name, samplesPerSecond: samples / seconds, samples, valAccuracy, note };
  } catch (e) {
    return none(name, `cannot train: ${String(e).split("\n")[0].slice(0, 160)}`);
  } finally {
    model.dispose();
  }
}

/** PyTorch's train_samples_per_s at `threads` threads on the first `rows` Kaggle rows. */
async function benchTorch(rows: number, epochs: number, threads: number): Promise<BenchResult> {
  const name = `pytorch-${threads}t`;
  if (!(await exists(TORCH)) || !(await exists(KAGGLE))) {
    return none(name, "unavailable: no ../shared");
  }
  const probe = await new Deno.Command(PYTHON, { args: ["-c", "import torch"], stderr: "null" })
    .output().catch(() => null);
  if (probe === null || !probe.success) return none(name, `unavailable: ${PYTHON} has no torch`);
  const out = await new Deno.Command(PYTHON, {
    args: [TORCH.pathname, String(threads), String(epochs)],
    env: { LIMIT: String(rows) },
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  const m = text.match(/train_samples_per_s (\d+(?:\.\d+)?).*val_acc ([\d.]+)/);
  if (!out.success || m === null) {
    return none(name, `failed: ${new TextDecoder().decode(out.stderr).trim().split("\n").at(-1)}`);
  }
  return {
    backend: name,
    samplesPerSecond: Number(m[1]),
    samples: Math.floor(rows * 0.8) * epochs,
    valAccuracy: Number(m[2]),
    note: `${threads} thread${threads > 1 ? "s" : ""}`,
  };
}

function printResult(r: BenchResult): void {
  const rate = r.samplesPerSecond === null ? "-" : r.samplesPerSecond.toFixed(0);
  const acc = r.valAccuracy === null ? "" : ` val_accuracy ${r.valAccuracy.toFixed(4)};`;
  console.log(
    `${r.backend.padEnd(12)} ${rate.padStart(7)} samples/s  (${r.samples} samples)${acc} ${r.note}`,
  );
}

/**
 * Runs the training benchmark. Flags: `--samples N` (the first N rows, 80 % trained and 20 %
 * validated; default all: 42,000 Kaggle rows when `../shared` has them, else the 10,000 embedded
 * MNIST digits; `--source kaggle|mnist` picks one), `--epochs N` (timed epochs, on every side;
 * default 1), `--backends` (comma list of simd, simd-2t (simd with its helper thread), cpu, wasm,
 * webgpu, webgpu-stock (webgpu with tfjs' own filter-gradient kernel), pytorch (runs at 1 and at
 * 2 threads)), `--batch N` (the tfjs backends' batch size; default 32, PyTorch's), `--rounds N` (runs every entry N times in
 * turn and keeps each one's fastest, for a shared machine; default 1), `--out FILE` (the report
 * as JSON).
 *
 * @example
 * ```ts ignore
 * import { runBench } from "./train.ts";
 * await runBench(["--samples", "2000", "--backends", "simd,pytorch", "--out", "bench.json"]);
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
      out: { type: "string" },
      rounds: { type: "string", default: "1" },
      batch: { type: "string", default: String(BATCH) },
    },
  });
  const batchSize = Number(values.batch);
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(
      `Cannot run the train bench: expected --batch >= 1, found ${values.batch}`,
    );
  }
  const rounds = Number(values.rounds);
  const limit = values.samples === undefined ? Infinity : Number(values.samples);
  const epochs = Number(values.epochs);
  if (!(limit >= 10) || !Number.isInteger(epochs) || epochs < 1) {
    throw new RangeError(
      `Cannot run the train bench: expected --samples >= 10 and --epochs >= 1, found ${values.samples} and ${values.epochs}`,
    );
  }
  if (!Number.isInteger(rounds) || rounds < 1) {
    throw new RangeError(
      `Cannot run the train bench: expected --rounds >= 1, found ${values.rounds}`,
    );
  }
  if (!["auto", "kaggle", "mnist"].includes(values.source)) {
    throw new RangeError(`Unknown --source "${values.source}": expected auto, kaggle or mnist`);
  }
  tf.env().set("PROD", true);
  const kaggle = values.source === "kaggle" || (values.source === "auto" && await exists(KAGGLE));
  let all = await loadDigits(kaggle ? KAGGLE.pathname : undefined);
  if (limit < all.count) all = limitDigits(all, limit);
  const sets = splitDigits(all, { validationSplit: 0.2, seed: 1212 });
  console.log(
    `Data: ${all.source} (${all.count} rows); training on ${sets.train.count}, validating on ${sets.validation.count}`,
  );
  console.log(
    `Model: the notebook's CNN, batch ${batchSize}${
      batchSize === BATCH ? "" : " (PyTorch keeps batch 32)"
    }, Adam 1e-3; timed: the training steps of ${epochs} epoch(s) after a 2-batch warm-up`,
  );
  const best = new Map<string, BenchResult>();
  for (let round = 1; round <= rounds; round++) {
    if (rounds > 1) console.log(`Round ${round}/${rounds}`);
    for (const name of values.backends.split(",").map((s) => s.trim()).filter((s) => s)) {
      const runs = name === "pytorch"
        ? [await benchTorch(all.count, epochs, 1), await benchTorch(all.count, epochs, 2)]
        : [await benchBackend(name, sets, epochs, batchSize)];
      for (const r of runs) {
        printResult(r);
        const seen = best.get(r.backend);
        if (seen === undefined || (r.samplesPerSecond ?? 0) > (seen.samplesPerSecond ?? 0)) {
          best.set(r.backend, r);
        }
      }
    }
  }
  const results = [...best.values()];
  if (rounds > 1) {
    console.log(`Best of ${rounds} rounds (the machine's other load only ever slows a run):`);
    results.forEach(printResult);
  }
  const torch = results.filter((r) => r.backend.startsWith("pytorch") && r.samplesPerSecond)
    .sort((p, q) => q.samplesPerSecond! - p.samplesPerSecond!)[0];
  const ratios: Record<string, number> = {};
  for (const r of results.filter((r) => !r.backend.startsWith("pytorch"))) {
    if (r.samplesPerSecond && torch) {
      ratios[r.backend] = r.samplesPerSecond / torch.samplesPerSecond!;
      console.log(
        `${r.backend} / PyTorch's best (${torch.backend}) = ${ratios[r.backend].toFixed(2)}x`,
      );
    }
  }
  await registerSimdBackend({ threads: 1 });
  if (values.out !== undefined) {
    const report: TrainBenchReport = {
      bench: "train",
      date: new Date().toISOString(),
      deno: Deno.version.deno,
      args,
      rounds,
      data: all.source,
      trainSize: sets.train.count,
      validationSize: sets.validation.count,
      epochs,
      batchSize,
      results,
      pytorchBest: torch?.backend ?? null,
      ratios,
    };
    await writeFileAtomically(values.out, JSON.stringify(report, null, 2) + "\n");
    console.log(`Wrote ${values.out}`);
  }
}
