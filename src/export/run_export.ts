import { basename, dirname, join } from "node:path";
import {
  ensureModelExists,
  isHttpUrl,
  makeParents,
  type Quantization,
  replaceFolder,
} from "../io/mod.ts";
import { loadClassifier, type LoadedClassifier } from "../model/classifier.ts";
import { validationDigits } from "./_validation_set.ts";
import { compareClassifiers, type Comparison } from "./compare_classifiers.ts";
import { checkQuantization, exportGraphModel, type ExportResult } from "./export_graph_model.ts";

/**
 * Lowest top-1 agreement with the float32 model accepted for each storage. Rounding moves every
 * probability a little; a digit changes class only when its top-2 margin is smaller than that
 * move, so flips are confined to the few ambiguous digits. 16-bit storage (float16: 11-bit
 * mantissa, uint16: 65,536 levels) moves probabilities by about 1e-4 and should flip at most 1 in
 * 1,000; uint8 (256 levels per tensor) moves them by about 1e-2 and may flip up to 1 in 200 — the
 * 0.5 points that also bound how far the exported accuracy can drift.
 */
export const AGREEMENT_THRESHOLDS: Readonly<Record<Quantization, number>> = Object.freeze({
  none: 0.999,
  float16: 0.999,
  uint16: 0.999,
  uint8: 0.995,
});

/**
 * The size targets for the notebook's model (`model.json` + shards, in bytes; 1 KB =
 * 1000 B). A wider model passes its own limit as `maxBytes` (`deno task export --max-bytes`).
 */
export const SIZE_TARGETS: Readonly<Partial<Record<Quantization, number>>> = Object.freeze({
  float16: 85_000,
  uint8: 45_000,
});

/** The accuracy targets: largest drop from float32, in points (percentage points). */
export const ACCURACY_TARGETS: Readonly<Partial<Record<Quantization, number>>> = Object.freeze({
  float16: 0.02,
  uint8: 0.1,
});

/**
 * Which of the targets for `quantize` ({@linkcode SIZE_TARGETS}, {@linkcode ACCURACY_TARGETS}) an
 * export misses, one sentence each; empty when it meets them all (or `quantize` has none).
 *
 * @param quantize The default storage of the export.
 * @param measured What is known so far: the bytes of `model.json` + shards, and the accuracy
 *   drop from the float32 model in percentage points (left out before the check has run).
 * @param maxBytes The size limit, when it is not {@linkcode SIZE_TARGETS}' for `quantize`.
 * @returns The missed targets.
 *
 * @example
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { missedTargets } from "./run_export.ts";
 * deepEqual(missedTargets("uint8", { totalBytes: 43_930, accuracyDrop: -0.01 }), []);
 * deepEqual(missedTargets("uint8", { totalBytes: 46_000, accuracyDrop: 0.15 }), [
 *   "size 46,000 B, target <= 45,000 B",
 *   "accuracy 0.15 points below the float32 model, target within 0.1",
 * ]);
 * deepEqual(missedTargets("uint16", { totalBytes: 1e9, accuracyDrop: 5 }), []);
 * deepEqual(missedTargets("uint8", { totalBytes: 90_000 }, 150_000), []);
 * deepEqual(missedTargets("uint8", { totalBytes: 160_000 }, 150_000), [
 *   "size 160,000 B, target <= 150,000 B",
 * ]);
 * ```
 */
export function missedTargets(
  quantize: Quantization,
  measured: { totalBytes: number; accuracyDrop?: number },
  maxBytes: number | undefined = SIZE_TARGETS[quantize],
): string[] {
  const missed: string[] = [];
  const format = (n: number) => n.toLocaleString("en-US");
  if (maxBytes !== undefined && measured.totalBytes > maxBytes) {
    missed.push(`size ${format(measured.totalBytes)} B, target <= ${format(maxBytes)} B`);
  }
  const accuracy = ACCURACY_TARGETS[quantize];
  const drop = measured.accuracyDrop;
  if (accuracy !== undefined && drop !== undefined && drop > accuracy + 1e-9) {
    missed.push(
      `accuracy ${drop.toFixed(2)} points below the float32 model, target within ${accuracy}`,
    );
  }
  return missed;
}

function refuseMissed(missed: string[], what: string, out: string): void {
  if (missed.length === 0) return;
  throw new RangeError(
    `The ${what} export misses its targets: ${missed.join("; ")}; ${out} was not written`,
  );
}

/** Options of {@linkcode runExport} (the `deno task export` flags). */
export interface RunExportOptions {
  /** The layers model folder. @default {the newest runs/<name>/model} */
  model?: string;
  /** The output folder. @default {"<run>/graph_model_<quantize>"} */
  out?: string;
  /** `none`, `float16`, `uint16` or `uint8`. @default {"uint8"} */
  quantize?: string;
  /** Per-layer overrides, `{ conv1: "float16" }`. @default {{}} */
  perLayer?: Record<string, string>;
  /** tfjs backend for the check (`cpu`, `wasm`, …). @default {"cpu"} */
  backend?: string;
  /**
   * Size limit of `model.json` + shards, in bytes, for a model that is not the notebook's (a
   * wider default model). @default {SIZE_TARGETS[quantize]}
   */
  maxBytes?: number;
}

/** What {@linkcode runExport} did and measured. */
export interface ExportReport {
  /** What was written: sizes, metadata, how each weight was stored. */
  export: ExportResult;
  /** The exported model against the float32 one on the validation digits. */
  comparison: Comparison;
  /** The agreement the export had to reach. */
  threshold: number;
  /** Bytes of the float32 layers model (model.json + weights). */
  layersBytes: number;
  /** The validation digits used. */
  validation: string;
}

async function newestRunModel(): Promise<string> {
  const runs: string[] = [];
  try {
    for await (const entry of Deno.readDir("runs")) {
      if (entry.isDirectory) runs.push(entry.name);
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  for (const name of runs.sort().reverse()) {
    const model = join("runs", name, "model");
    if (await Deno.stat(join(model, "model.json")).then(() => true, () => false)) return model;
  }
  throw new Deno.errors.NotFound(
    "Cannot find a trained model: expected runs/<name>/model/model.json; run deno task train or pass --model DIR",
  );
}

async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile && entry.name !== "metadata.json") {
      total += (await Deno.stat(join(dir, entry.name))).size;
    }
  }
  return total;
}

const pct = (x: number, digits = 2) => `${(x * 100).toFixed(digits)} %`;
const bytes = (n: number) => `${n.toLocaleString("en-US")} B (${(n / 1024).toFixed(1)} KiB)`;

function describe(quantize: Quantization, perLayer: Record<string, Quantization>): string {
  const overrides = Object.entries(perLayer).map(([l, q]) => `${l} ${q}`);
  return [quantize, ...overrides].join(", ");
}

function reportLines(
  report: ExportReport,
  out: string,
  quantize: Quantization,
  sizeTarget: number | undefined,
): string[] {
  const { export: result, comparison: c } = report;
  const drop = (c.referenceAccuracy - c.candidateAccuracy) * 100;
  const accTarget = ACCURACY_TARGETS[quantize];
  const met = (ok: boolean) => (ok ? "met" : "MISSED");
  return [
    `Wrote ${out} (${describe(quantize, result.metadata.quantization.perLayer)})`,
    `  model.json            ${bytes(result.modelJsonBytes)}`,
    `  group1-shard1of1.bin  ${bytes(result.weightBytes)}`,
    `  total                 ${bytes(result.totalBytes)}` +
    (sizeTarget
      ? `  target <= ${sizeTarget / 1000} KB: ${met(result.totalBytes <= sizeTarget)}`
      : ""),
    `  float32 layers model  ${bytes(report.layersBytes)}`,
    `Checked on ${report.validation}`,
    `  accuracy, float32 layers model  ${pct(c.referenceAccuracy)}`,
    `  accuracy, exported graph model  ${pct(c.candidateAccuracy)} (${drop <= 0 ? "+" : "-"}${
      Math.abs(drop).toFixed(2)
    } points` +
    (accTarget ? `; target within ${accTarget}: ${met(drop <= accTarget + 1e-9)})` : ")"),
    `  top-1 agreement                 ${
      pct(c.agreement)
    } (${c.disagreements} of ${c.count} differ; ` +
    `threshold ${pct(report.threshold, 1)})`,
    `  largest probability difference  ${c.maxProbabilityDifference.toExponential(2)}`,
  ];
}

/**
 * `deno task export`: exports a layers model to a quantized graph model, then proves it: loads
 * what it wrote with `tf.loadGraphModel`, runs the validation digits through both models, prints
 * sizes, both accuracies, top-1 agreement and the largest probability difference. The export is
 * checked in a staging folder and moved to `out` only when the agreement reaches
 * {@linkcode AGREEMENT_THRESHOLDS} and the export meets its {@linkcode SIZE_TARGETS} and
 * {@linkcode ACCURACY_TARGETS} ({@linkcode missedTargets}); otherwise it throws a `RangeError`
 * (`deno task export` exits 1) and `out` is left untouched.
 *
 * @param options Flags (model, out, quantize, perLayer, backend).
 * @param log Where report lines go. @default {console.log}
 * @returns The export and its measurements.
 *
 * @example
 * ```ts ignore
 * import { runExport } from "./run_export.ts";
 * const report = await runExport({ model: "runs/x/model", quantize: "uint8" });
 * console.log(report.comparison.agreement);
 * ```
 */
export async function runExport(
  options: RunExportOptions,
  log: (line: string) => void = console.log,
): Promise<ExportReport> {
  const quantize = checkQuantization(options.quantize ?? "uint8");
  const perLayer = Object.fromEntries(
    Object.entries(options.perLayer ?? {}).map((
      [l, q],
    ) => [l, checkQuantization(q, `--layer ${l}=`)]),
  );
  const maxBytes = options.maxBytes ?? SIZE_TARGETS[quantize];
  if (maxBytes !== undefined && !(Number.isFinite(maxBytes) && maxBytes > 0)) {
    throw new RangeError(`--max-bytes must be a positive number of bytes, got ${maxBytes}`);
  }
  const model = options.model ?? await newestRunModel();
  // A missing model fails here, before anything is created.
  await ensureModelExists(model, "Pass --model DIR, or run deno task train");
  if (options.out === undefined && isHttpUrl(model)) {
    throw new TypeError(`Cannot pick an output folder for ${model}: pass --out DIR`);
  }
  const modelFolder = model.endsWith(".json") ? dirname(model) : model;
  const out = options.out ?? join(dirname(modelFolder), `graph_model_${quantize}`);
  // Imported here: the backend module registers tfjs-backend-wasm, which must not happen to every
  // importer of the export stage (it would become tfjs' default backend).
  const { describeBackend, selectBackend } = await import("../backend/mod.ts");
  const backend = await selectBackend(options.backend ?? "cpu");
  log(`Backend: ${describeBackend(backend)}`);

  const created = await makeParents(out);
  const staging = await Deno.makeTempDir({ dir: dirname(out), prefix: `.${basename(out)}.check-` });
  let done = false;
  const loaded: LoadedClassifier[] = [];
  try {
    const staged = join(staging, "model");
    const result = await exportGraphModel(model, staged, { quantize, perLayer });
    const what = describe(quantize, perLayer);
    refuseMissed(missedTargets(quantize, { totalBytes: result.totalBytes }, maxBytes), what, out);
    const reference = await loadClassifier(model);
    loaded.push(reference);
    const candidate = await loadClassifier(staged);
    loaded.push(candidate);
    if (candidate.kind !== "graph") {
      throw new Error(`The export in ${staged} did not load as a graph model`);
    }
    const validation = await validationDigits(model);
    const comparison = await compareClassifiers(reference, candidate, validation.digits);
    const used = [quantize, ...Object.values(perLayer)];
    const threshold = Math.min(...used.map((q) => AGREEMENT_THRESHOLDS[q]));
    const layersBytes = isHttpUrl(model) ? 0 : await folderBytes(modelFolder);
    const report = {
      export: { ...result, outDir: out },
      comparison,
      threshold,
      layersBytes,
      validation: validation.description,
    };
    for (const line of reportLines(report, out, quantize, maxBytes)) log(line);
    if (comparison.agreement < threshold) {
      const got = `${pct(comparison.agreement)} of ${comparison.count} digits`;
      throw new RangeError(
        `The ${what} export agrees with the float32 model on ${got}: ` +
          `expected at least ${pct(threshold, 1)}; ${out} was not written. Try --quantize ` +
          `float16 or keep a sensitive layer in float16 (--layer conv1=float16)`,
      );
    }
    const accuracyDrop = (comparison.referenceAccuracy - comparison.candidateAccuracy) * 100;
    refuseMissed(
      missedTargets(quantize, { totalBytes: result.totalBytes, accuracyDrop }, maxBytes),
      what,
      out,
    );
    await replaceFolder(staged, out);
    done = true;
    return report;
  } finally {
    for (const c of loaded) c.dispose();
    await Deno.remove(done || created === null ? staging : created, { recursive: true })
      .catch(() => {});
  }
}
