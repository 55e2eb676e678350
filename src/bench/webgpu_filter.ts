/**
 * The WebGPU filter gradient alone: milliseconds per `Conv2DBackpropFilter` of the notebook CNN's
 * two convolutions, with tfjs' stock kernel and with our split-reduction one, interleaved in one
 * process. `scripts/gpu_bench.sh run` prints it on a lent GPU before the training bench, which
 * shows what the kernel is worth inside a whole step.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { parseArgs } from "node:util";
import { selectBackend } from "../backend/mod.ts";

/** One shape's figures. */
export interface FilterTiming {
  /** `conv1` or `conv2`, and the batch. */
  layer: string;
  batch: number;
  /** Milliseconds per call, the faster of the rounds, by kernel. */
  stockMs: number;
  splitMs: number;
}

const LAYERS: { layer: string; x: [number, number, number]; filter: number[] }[] = [
  { layer: "conv1", x: [28, 28, 1], filter: [5, 5, 1, 8] },
  { layer: "conv2", x: [12, 12, 8], filter: [5, 5, 8, 16] },
];

/** Ms per call over `reps` calls queued back to back, then one read-back. */
async function time(x: tf.Tensor, dy: tf.Tensor, filter: number[], reps: number): Promise<number> {
  const call = () =>
    tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, {
      strides: 1,
      pad: "valid",
      dataFormat: "NHWC",
      filterShape: filter,
    }) as tf.Tensor;
  const warm = call();
  await warm.data();
  warm.dispose();
  const start = performance.now();
  const outs = Array.from({ length: reps }, call);
  await outs[reps - 1].data();
  const ms = (performance.now() - start) / reps;
  tf.dispose(outs);
  return ms;
}

/**
 * Times the filter gradient of both convolutions at each `--batches` (default `32,256`), stock
 * and split in turn for `--rounds` rounds (default 3), `--reps` calls a timing (default 20), and
 * prints a row per shape with the ratio.
 *
 * @example
 * ```ts ignore
 * import { runWebgpuFilterBench } from "./webgpu_filter.ts";
 * const rows = await runWebgpuFilterBench(["--batches", "32"]);
 * console.log(rows[0].stockMs / rows[0].splitMs);
 * ```
 */
export async function runWebgpuFilterBench(args: string[]): Promise<FilterTiming[]> {
  const { values } = parseArgs({
    args,
    options: {
      batches: { type: "string", default: "32,256" },
      rounds: { type: "string", default: "3" },
      reps: { type: "string", default: "20" },
    },
  });
  const batches = values.batches.split(",").map(Number);
  const rounds = Number(values.rounds), reps = Number(values.reps);
  if (batches.some((b) => !Number.isInteger(b) || b < 1) || !(rounds >= 1) || !(reps >= 1)) {
    throw new RangeError(
      `Cannot run the filter bench: expected --batches of integers >= 1, --rounds and --reps >= 1, found ${values.batches}, ${values.rounds} and ${values.reps}`,
    );
  }
  const info = await selectBackend("webgpu", { training: true, webgpuKernels: "split" });
  console.log(
    `Conv2DBackpropFilter on webgpu, adapter "${info.adapter}"; ms a call, best of ${rounds}`,
  );
  const rows: FilterTiming[] = [];
  for (const batch of batches) {
    for (const { layer, x: shape, filter } of LAYERS) {
      const x = tf.randomUniform([batch, ...shape]);
      const out = shape[0] - filter[0] + 1;
      const dy = tf.randomUniform([batch, out, out, filter[3]]);
      let stockMs = Infinity, splitMs = Infinity;
      for (let round = 0; round < rounds; round++) {
        await selectBackend("webgpu", { webgpuKernels: "stock" });
        stockMs = Math.min(stockMs, await time(x, dy, filter, reps));
        await selectBackend("webgpu", { webgpuKernels: "split" });
        splitMs = Math.min(splitMs, await time(x, dy, filter, reps));
      }
      tf.dispose([x, dy]);
      rows.push({ layer, batch, stockMs, splitMs });
      console.log(
        `${layer} batch ${String(batch).padStart(4)}: stock ${stockMs.toFixed(3)} ms, ` +
          `split ${splitMs.toFixed(3)} ms (${(stockMs / splitMs).toFixed(2)}x)`,
      );
    }
  }
  return rows;
}
