/**
 * The README's benchmark figures, generated from the JSON that the benches write with `--out`, so
 * that they cannot drift from a measurement. A generated block in `README.md` looks like
 *
 * ```md
 * <!-- bench:photos benchmarks/photos.json -->
 * (generated: do not edit)
 * <!-- /bench:photos -->
 * ```
 *
 * `photos` names a renderer in {@linkcode README_RENDERERS}, `benchmarks/photos.json` the file
 * (relative to the README) it renders. `deno task readme` rewrites every block;
 * `deno task readme --check` fails when one is out of date (a test runs it).
 *
 * @module
 */
import { dirname, join } from "node:path";
import { writeFileAtomically } from "../io/mod.ts";
import type { CaseRow, HostileBenchResult } from "./hostile.ts";
import type { NumbersBenchResult, NumberScores } from "./numbers.ts";
import type { PeerScores, PhotoBenchResult, Tally } from "./photos.ts";
import type { RefuseBenchResult } from "./refuse.ts";
import type { ServeBenchResult, ServeRow } from "./serve.ts";
import type { StepBenchResult } from "./step.ts";
import type { TrainBenchReport } from "./train.ts";

/** Turns one bench's `--out` JSON into the markdown of its README block. */
export type ReadmeRenderer = (result: unknown, source: string) => string;

const pct = (correct: number, total: number) => (100 * correct / Math.max(1, total)).toFixed(1);

function peerLine(name: string, scores: PeerScores): string {
  const { correct, total } = scores.all;
  const kinds = Object.entries(scores.kinds).map(([k, t]) => `${k} ${t.correct}/${t.total}`);
  return `${name.padEnd(8)} ${correct}/${total} (${pct(correct, total)} %): ${kinds.join(", ")}`;
}

/**
 * The photo benchmark's block: a fixed-width table in a `text` code block (which `deno fmt`
 * leaves as it is), per kind and overall, then the Python peer's figures from the same run.
 *
 * @param result What `deno task bench photos --out FILE` wrote.
 * @param source The JSON file's path, named in the block.
 * @returns The markdown of the block.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { renderPhotoFigures } from "./readme_figures.ts";
 * const tally = { correct: 9, refused: 1, total: 10 };
 * const text = renderPhotoFigures({
 *   bench: "photos", date: "2026-11-26T08:00:00Z", deno: "2.9.6", python: null,
 *   pythonSkipped: "no torch",
 *   ours: { model: "models/default", all: tally, kinds: { canvas_drawing: tally }, images: 10, seconds: 1 },
 * }, "benchmarks/photos.json");
 * ok(text.includes("all                                  9     10   90.0        1"), text);
 * ```
 */
export function renderPhotoFigures(result: unknown, source: string): string {
  const r = result as PhotoBenchResult;
  if (r?.bench !== "photos") {
    throw new TypeError(`Cannot render ${source} as photo figures: expected "bench": "photos"`);
  }
  const lines = [
    `$ deno task bench photos --out ${source}   # ${r.date.slice(0, 10)}, Deno ${r.deno}`,
  ];
  if (r.ours === null) lines.push("TypeScript pipeline: not measured (no model)");
  else {
    const row = (name: string, t: Tally) =>
      `${name.padEnd(32)} ${String(t.correct).padStart(5)} ${String(t.total).padStart(6)} ${
        pct(t.correct, t.total).padStart(6)
      } ${String(t.refused).padStart(8)}`;
    lines.push(
      `TypeScript pipeline, ${r.ours.model}: ${r.ours.images} photos in ${
        r.ours.seconds.toFixed(1)
      } s`,
      `${"kind".padEnd(32)} ${"right".padStart(5)} ${"total".padStart(6)} ${"%".padStart(6)} ${
        "refused".padStart(8)
      }`,
      ...Object.entries(r.ours.kinds).map(([kind, t]) => row(kind, t)),
      row("all", r.ours.all),
    );
  }
  if (r.python === null) {
    lines.push(`Python peer: not run (${r.pythonSkipped ?? "no reason given"})`);
  } else {
    lines.push("Python peer (../shared/bench/photo_pipeline.py), same run:");
    for (const [name, scores] of Object.entries(r.python)) lines.push(peerLine(name, scores));
  }
  return ["```text", ...lines, "```"].join("\n");
}

/** A path under `../shared` as the README names it (the JSON may hold an absolute one). */
const shared = (path: string) => path.replace(/^.*\/shared\//, "../shared/");

/** The command line that produced a result, as the first line of its block. */
function commandLine(bench: string, args: string[], date: string, deno: string): string {
  return `$ deno task bench ${[bench, ...args].join(" ")}   # ${date.slice(0, 10)}, Deno ${deno}`;
}

function expectBench(result: unknown, bench: string, source: string): void {
  if ((result as { bench?: unknown })?.bench !== bench) {
    throw new TypeError(
      `Cannot render ${source} as ${bench} figures: expected "bench": "${bench}"`,
    );
  }
}

/**
 * The training benchmark's block: samples/s of each entry (tfjs backends and PyTorch at one and
 * two threads, from the same run), then each backend over PyTorch's best.
 *
 * @param result What `deno task bench train --out FILE` wrote.
 * @param source The JSON file's path (checked, not printed: the command line names it).
 * @returns The markdown of the block.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { renderTrainFigures } from "./readme_figures.ts";
 * const text = renderTrainFigures({
 *   bench: "train", date: "2026-11-26T08:00:00Z", deno: "2.9.6", args: ["--out", "t.json"],
 *   rounds: 1, data: "/x/shared/data/kaggle/train.csv.gz", trainSize: 80, validationSize: 20,
 *   epochs: 1, batchSize: 32, pytorchBest: "pytorch-1t", ratios: { simd: 1.5 },
 *   results: [
 *     { backend: "simd", samplesPerSecond: 3000, samples: 80, valAccuracy: 0.9, note: "" },
 *     { backend: "pytorch-1t", samplesPerSecond: 2000, samples: 80, valAccuracy: 0.9, note: "" },
 *   ],
 * }, "t.json");
 * ok(text.includes("simd / PyTorch's best (pytorch-1t) = 1.50x"), text);
 * ```
 */
export function renderTrainFigures(result: unknown, source: string): string {
  expectBench(result, "train", source);
  const r = result as TrainBenchReport;
  const lines = [
    commandLine("train", r.args, r.date, r.deno),
    `${shared(r.data)}: ${r.trainSize} trained, ${r.validationSize} validated; ${r.epochs} ` +
    `epoch(s) of batch ${r.batchSize} timed; ${
      r.rounds > 1 ? `fastest of ${r.rounds} rounds` : "one round"
    }`,
    `${"entry".padEnd(12)} ${"samples/s".padStart(9)} ${"samples".padStart(8)} ${
      "val acc".padStart(8)
    }  note`,
    ...r.results.map((e) =>
      `${e.backend.padEnd(12)} ${
        (e.samplesPerSecond === null ? "-" : e.samplesPerSecond.toFixed(0)).padStart(9)
      } ${String(e.samples).padStart(8)} ${
        (e.valAccuracy === null ? "-" : e.valAccuracy.toFixed(4)).padStart(8)
      }  ${e.note}`.trimEnd()
    ),
  ];
  if (r.pytorchBest === null) lines.push("PyTorch: not run");
  for (const [backend, ratio] of Object.entries(r.ratios)) {
    lines.push(`${backend} / PyTorch's best (${r.pytorchBest}) = ${ratio.toFixed(2)}x`);
  }
  return ["```text", ...lines, "```"].join("\n");
}

function numberRows(scores: NumberScores): string[] {
  const row = (name: string, t: NumberScores["all"]) =>
    `${name.padEnd(24)} ${String(t.right).padStart(5)} ${String(t.total).padStart(6)} ${
      pct(t.right, t.total).padStart(6)
    } ${String(t.refused).padStart(8)}`;
  return [
    `${"".padEnd(24)} ${"right".padStart(5)} ${"total".padStart(6)} ${"%".padStart(6)} ${
      "refused".padStart(8)
    }`,
    ...Object.entries(scores.by).map(([name, t]) => row(name, t)),
    row("all", scores.all),
  ];
}

/**
 * The numbers benchmark's block: whole numbers read right on synthetic numbers (MNIST test
 * digits) and on the real photos per kind, then the Python peer's readers on the same photos.
 *
 * @param result What `deno task bench numbers --out FILE` wrote.
 * @param source The JSON file's path (checked, not printed: the command line names it).
 * @returns The markdown of the block.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { renderNumberFigures } from "./readme_figures.ts";
 * const t = { right: 3, refused: 1, total: 4 };
 * const text = renderNumberFigures({
 *   bench: "numbers", date: "2026-11-26T08:00:00Z", deno: "2.9.6", args: [], model: "m",
 *   synthetic: { source: "mnist", by: { gap: t }, all: t, images: 4, seconds: 1, seed: 1 },
 *   real: null, python: null, pythonSkipped: "no real photos",
 * }, "n.json");
 * ok(text.includes("all                          3      4   75.0        1"), text);
 * ```
 */
export function renderNumberFigures(result: unknown, source: string): string {
  expectBench(result, "numbers", source);
  const r = result as NumbersBenchResult;
  const lines = [
    commandLine("numbers", r.args, r.date, r.deno),
    `Synthetic numbers, ${r.model}: ${r.synthetic.images} from ${
      shared(r.synthetic.source)
    }, seed ${r.synthetic.seed}`,
    ...numberRows(r.synthetic),
  ];
  if (r.real === null) lines.push("Real photos: not measured (no ../shared)");
  else {
    lines.push(
      `Real photos, ${shared(r.real.source)}: ${r.real.images} in ${r.real.seconds.toFixed(1)} s`,
      ...numberRows(r.real),
    );
  }
  if (r.python === null) {
    lines.push(`Python peer: not run (${r.pythonSkipped ?? "no reason given"})`);
  } else {
    lines.push(
      `Python peer (../shared/bench/number_pipeline.py, weights ${r.pythonWeights}), same run:`,
    );
    for (const [name, scores] of Object.entries(r.python)) lines.push(peerLine(name, scores));
  }
  return ["```text", ...lines, "```"].join("\n");
}

/**
 * The refusal benchmark's block: non-digits refused per category, single digits answered and
 * right, MNIST accuracy and calibration (no peer: the Python pipeline never refuses).
 *
 * @param result What `deno task bench refuse --out FILE` wrote.
 * @param source The JSON file's path (checked, not printed: the command line names it).
 * @returns The markdown of the block.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { renderRefuseFigures } from "./readme_figures.ts";
 * const text = renderRefuseFigures({
 *   bench: "refuse", date: "2026-11-26T08:00:00Z", deno: "2.9.6", args: [], model: "m",
 *   nonDigits: { source: "n.csv", by: { letter: { refused: 3, total: 4 } }, all: { refused: 3, total: 4 } },
 *   digits: null, calibration: null,
 * }, "r.json");
 * ok(text.includes("letter                         3      4   75.0"), text);
 * ```
 */
export function renderRefuseFigures(result: unknown, source: string): string {
  expectBench(result, "refuse", source);
  const r = result as RefuseBenchResult;
  const lines = [commandLine("refuse", r.args, r.date, r.deno), `Model ${r.model}`];
  if (r.synthetic !== undefined) {
    const s = r.synthetic;
    lines.push(
      `Non-digits refused, ${s.source} (seed ${s.seed}): ${
        Object.entries(s.by).map(([name, t]) => `${name} ${t.refused}/${t.total}`).join(", ")
      }, all ${s.all.refused}/${s.all.total} (${pct(s.all.refused, s.all.total)} %)`,
    );
  }
  if (r.strokes !== undefined) {
    const s = r.strokes;
    lines.push(
      `Held-out stroke letters refused, ${s.source} (seed ${s.seed}): ${s.refused}/${s.total} (${
        pct(s.refused, s.total)
      } %)`,
    );
  }
  if (r.digitScenes !== undefined) {
    const d = r.digitScenes;
    lines.push(
      `Single-digit scenes, ${shared(d.source)} (seed ${d.seed}): right ${d.right}/${d.total} (${
        pct(d.right, d.total)
      } %), refused ${d.refused}, wrong ${d.wrong}`,
    );
  }
  if (r.nonDigits === null) lines.push("Non-digits: not measured (no ../shared)");
  else {
    const row = (name: string, t: { refused: number; total: number }) =>
      `${name.padEnd(24)} ${String(t.refused).padStart(7)} ${String(t.total).padStart(6)} ${
        pct(t.refused, t.total).padStart(6)
      }`;
    lines.push(
      `Non-digits refused, ${shared(r.nonDigits.source)} (ambiguous left out):`,
      `${"".padEnd(24)} ${"refused".padStart(7)} ${"total".padStart(6)} ${"%".padStart(6)}`,
      ...Object.entries(r.nonDigits.by).map(([name, t]) => row(name, t)),
      row("all", r.nonDigits.all),
    );
  }
  if (r.digits === null) lines.push("Single digits: not measured (no ../shared)");
  else {
    const d = r.digits;
    lines.push(
      `Single digits, ${shared(d.source)}: answered and right ${d.right}/${d.total} (${
        pct(d.right, d.total)
      } %), refused ${d.refused}, wrong ${d.wrong}`,
    );
  }
  if (r.calibration === null) lines.push("MNIST accuracy and calibration: not measured");
  else {
    const c = r.calibration;
    lines.push(
      `MNIST test accuracy ${(100 * c.testAccuracy).toFixed(2)} % (${c.testCount} digits)`,
      `Temperature fitted on ${c.validationCount} validation digits: T = ${c.fitted} ` +
        `(DEFAULT_TEMPERATURE ${c.defaultTemperature})`,
      `ECE on the test digits: ${c.eceBefore.toFixed(4)} at T = 1, ${
        c.eceAfter.toFixed(4)
      } at T = ${c.fitted}`,
      `Validation digits answered at --min-confidence (T = ${c.defaultTemperature}): ${
        Object.entries(c.answeredAt).map(([m, share]) => `${m}: ${(100 * share).toFixed(2)} %`)
          .join(", ")
      }`,
    );
  }
  return ["```text", ...lines, "```"].join("\n");
}

/**
 * One case of the hostile corpus, as the bench prints it and the README shows it.
 *
 * @param row The case's outcome.
 * @returns The row's fixed-width text.
 */
export function formatHostileRow(row: CaseRow): string {
  return [
    row.name.padEnd(22),
    String(row.status).padStart(4),
    row.code.padEnd(24),
    row.ms.toFixed(1).padStart(8),
    `${row.rssGrowthMb >= 0 ? "+" : ""}${row.rssGrowthMb.toFixed(1)}`.padStart(8),
    row.ok ? "  ok " : "  UNEXPECTED",
    ` ${row.about}`,
  ].join(" ");
}

/**
 * One row of the serving table, as the bench prints it and the README shows it.
 *
 * @param row One input on one server.
 * @param serverWidth Characters of the server's column.
 * @returns The row's fixed-width text.
 */
export function formatServeRow(row: ServeRow, serverWidth: number): string {
  return [
    row.input.padEnd(12),
    row.server.padEnd(serverWidth),
    row.requestsPerSec.toFixed(1).padStart(8),
    row.p50Ms.toFixed(2).padStart(8),
    row.p99Ms.toFixed(2).padStart(8),
    String(row.errors).padStart(7),
    row.cpuMsPerRequest.toFixed(2).padStart(11),
    `${row.rssBeforeMb.toFixed(0)} → ${row.rssAfterMb.toFixed(0)}`.padStart(12),
    `  ${row.answer}`,
  ].join(" ");
}

/**
 * The serving benchmark's block: requests/s, latency, errors, CPU time per request and memory of
 * each server under each input (the Deno server's row, then the Flask peer's from the same run),
 * the Deno server's peak memory, and Deno over Flask per input.
 *
 * @param result What `deno task bench serve --out FILE` wrote.
 * @param source The JSON file's path (checked, not printed: the command line names it).
 * @returns The markdown of the block.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { renderServeFigures } from "./readme_figures.ts";
 * const row = (server: string, requestsPerSec: number, cpuMsPerRequest: number) => ({
 *   server, requestsPerSec, cpuMsPerRequest, input: "64 px PNG", answer: "digit 7", p50Ms: 1,
 *   p99Ms: 2, requests: 100, errors: 0, rssBeforeMb: 100, rssAfterMb: 110,
 * });
 * const text = renderServeFigures({
 *   bench: "serve", date: "2026-11-26T08:00:00Z", deno: "2.9.6", args: [], cores: 2,
 *   wrk: { duration: 5, connections: 8, threads: 2 }, denoPeakMb: 200,
 *   rows: [row("deno 2.9.6 wasm", 300, 2), row("flask+torch gunicorn -w2", 100, 4)],
 * }, "s.json");
 * ok(text.includes("64 px PNG: 3.00x the requests/s, 0.50x the CPU ms per request"), text);
 * ```
 */
export function renderServeFigures(result: unknown, source: string): string {
  expectBench(result, "serve", source);
  const r = result as ServeBenchResult;
  const lines = [
    commandLine("serve", r.args, r.date, r.deno),
    `wrk -t${r.wrk.threads} -c${r.wrk.connections} -d${r.wrk.duration}s on 127.0.0.1, ${r.cores} cores`,
    "input        server                       req/s   p50 ms   p99 ms  errors  CPU ms/req  RSS MB b→a    answer",
    ...r.rows.map((row) => formatServeRow(row, 25)),
    `Deno server: peak resident memory (VmHWM) ${r.denoPeakMb.toFixed(0)} MB`,
  ];
  if (r.flaskSkipped !== undefined) lines.push(`Flask peer: not run (${r.flaskSkipped})`);
  else {
    lines.push("Deno ÷ Flask, same run:");
    for (const input of new Set(r.rows.map((row) => row.input))) {
      const [deno, flask] = [
        r.rows.find((row) => row.input === input && row.server.startsWith("deno")),
        r.rows.find((row) => row.input === input && row.server.startsWith("flask")),
      ];
      if (deno === undefined || flask === undefined) continue;
      lines.push(
        `  ${input}: ${(deno.requestsPerSec / flask.requestsPerSec).toFixed(2)}x the requests/s, ${
          (deno.cpuMsPerRequest / flask.cpuMsPerRequest).toFixed(2)
        }x the CPU ms per request`,
      );
    }
  }
  return ["```text", ...lines, "```"].join("\n");
}

/**
 * The hostile benchmark's block: status, code, time and memory growth of each hostile case, what
 * a client that gives up costs, then the soak's answers and memory (no peer).
 *
 * @param result What `deno task bench hostile --out FILE` wrote.
 * @param source The JSON file's path (checked, not printed: the command line names it).
 * @returns The markdown of the block.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { renderHostileFigures } from "./readme_figures.ts";
 * const text = renderHostileFigures({
 *   bench: "hostile", date: "2026-11-26T08:00:00Z", deno: "2.9.6", args: [], timeoutMs: 3000,
 *   startMb: 100, warmMb: 150, healthzMs: 5, cancellation: "cheap", peakMb: 200,
 *   cases: [{ name: "noise", about: "noise", status: 415, code: "unsupported_media_type", ms: 2, ok: true, rssGrowthMb: 0 }],
 *   soak: { seconds: 20, requests: 10, answers: { "200": 10 }, warmMb: 150, peakMb: 180, idleMb: 160, validP99Ms: 99, connections: 4, idleSeconds: 10 },
 * }, "h.json");
 * ok(text.includes("1 cases, 0 unexpected"), text);
 * ```
 */
export function renderHostileFigures(result: unknown, source: string): string {
  expectBench(result, "hostile", source);
  const r = result as HostileBenchResult;
  const s = r.soak;
  const unexpected = r.cases.filter((c) => !c.ok).length;
  const lines = [
    commandLine("hostile", r.args, r.date, r.deno),
    `Server TIMEOUT_MS=${r.timeoutMs}: ${r.startMb} MB at start, ${r.warmMb} MB after 30 valid requests`,
    "case                   status code                       ms   ΔRSS MB",
    ...r.cases.map(formatHostileRow),
    `5 clients gave up on a 12 MP photo after 20 ms; /healthz then answered in ${
      r.healthzMs.toFixed(1)
    } ms`,
    r.cancellation,
    `${r.cases.length} cases, ${unexpected} unexpected`,
    `Soak: ${s.connections} connections, half valid, half hostile: ${s.requests} requests in ${
      s.seconds.toFixed(1)
    } s; valid p99 ${s.validP99Ms.toFixed(1)} ms`,
    ...Object.entries(s.answers).sort().map(([answer, n]) => `  ${answer}: ${n}`),
    `RSS: ${s.warmMb} MB warm before the soak, ${s.peakMb} MB peak during it, ${s.idleMb} MB ` +
    `after ${s.idleSeconds} s idle (${
      (100 * (s.idleMb / s.warmMb - 1)).toFixed(0)
    } % over warm); peak of the whole run (VmHWM) ${r.peakMb} MB`,
  ];
  return ["```text", ...lines, "```"].join("\n");
}

/**
 * The step profile's block: `deno task train`'s loop through `simdTrainStep()` and through the
 * layers' step, then ms per step by part, largest first, of `simdTrainStep()` and of the layers'
 * step with its kernel calls (no peer).
 *
 * @param result What `deno task bench step --out FILE` wrote.
 * @param source The JSON's path, for error messages.
 * @returns The block's text.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { renderStepFigures } from "./readme_figures.ts";
 * const text = renderStepFigures({
 *   bench: "step", date: "2026-11-26T08:00:00Z", deno: "2.9.6", args: [], rounds: 1, threads: 1,
 *   batchSize: 32, loopMsPerStep: 2.2, layersLoopMsPerStep: 5.2, trainOnBatchMsPerStep: 5,
 *   stepMs: 2, samplesPerSecond: 16000, parts: [{ part: "convolutions", ms: 1.5 }],
 *   layers: { stepMs: 5, samplesPerSecond: 6400, kernelCallsPerStep: 178, parts: [] },
 * }, "s.json");
 * ok(text.includes("convolutions                                                        1.50"), text);
 * ```
 */
export function renderStepFigures(result: unknown, source: string): string {
  expectBench(result, "step", source);
  const r = result as StepBenchResult;
  const threads = `${r.threads} thread${r.threads > 1 ? "s" : ""}`;
  const table = (parts: Array<{ part: string; ms: number }>) => [
    `${"part".padEnd(66)} ${"ms".padStart(5)}`,
    ...parts.map(({ part, ms }) => `${part.padEnd(66)} ${ms.toFixed(2).padStart(5)}`),
  ];
  const lines = [
    commandLine("step", r.args, r.date, r.deno),
    `deno task train's loop (runEpoch): ${r.loopMsPerStep.toFixed(2)} ms/step through ` +
    `simdTrainStep, ${r.layersLoopMsPerStep.toFixed(2)} through the layers' step; trainOnBatch ` +
    `on ready tensors: ${r.trainOnBatchMsPerStep.toFixed(2)} ms/step`,
    "",
    `simdTrainStep (simd, ${threads}), batch ${r.batchSize}: ${r.stepMs.toFixed(2)} ms/step, ` +
    `${r.samplesPerSecond.toFixed(0)} samples/s, no tfjs kernel calls`,
    ...table(r.parts),
    "",
    `the layers' step (trainOnBatch, simd, ${threads}): ${r.layers.stepMs.toFixed(2)} ms/step, ` +
    `${r.layers.samplesPerSecond.toFixed(0)} samples/s, ${
      r.layers.kernelCallsPerStep.toFixed(0)
    } kernel calls/step`,
    ...table(r.layers.parts),
  ];
  return ["```text", ...lines, "```"].join("\n");
}

/** The renderer of each block name; a bench that writes `--out` JSON adds its own here. */
export const README_RENDERERS: Readonly<Record<string, ReadmeRenderer>> = Object.freeze({
  photos: renderPhotoFigures,
  train: renderTrainFigures,
  numbers: renderNumberFigures,
  refuse: renderRefuseFigures,
  serve: renderServeFigures,
  hostile: renderHostileFigures,
  step: renderStepFigures,
});

const BLOCK = /<!-- bench:([\w-]+) (\S+) -->\n[\s\S]*?<!-- \/bench:([\w-]+) -->/g;

/**
 * Rewrites every generated block of a README from its JSON file. The body sits between blank
 * lines, as `deno fmt` leaves markdown.
 *
 * @param readme The README's text.
 * @param readJson Reads a block's JSON file (its path as the block names it).
 * @param renderers The renderer of each block name. @default {README_RENDERERS}
 * @returns The README with every block regenerated.
 * @throws {SyntaxError} A block whose end marker names another bench, or an opening marker with no end.
 * @throws {RangeError} A block name with no renderer.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { updateReadmeBlocks } from "./readme_figures.ts";
 * const readme = "# Title\n<!-- bench:n n.json -->\nold\n<!-- /bench:n -->\nmore\n";
 * const renderers = { n: (data: unknown) => `n = ${(data as { n: number }).n}` };
 * const updated = await updateReadmeBlocks(readme, () => Promise.resolve({ n: 3 }), renderers);
 * equal(updated, "# Title\n<!-- bench:n n.json -->\n\nn = 3\n\n<!-- /bench:n -->\nmore\n");
 * ```
 */
export async function updateReadmeBlocks(
  readme: string,
  readJson: (path: string) => Promise<unknown>,
  renderers: Readonly<Record<string, ReadmeRenderer>> = README_RENDERERS,
): Promise<string> {
  const opened = [...readme.matchAll(/<!-- bench:([\w-]+) (\S+) -->/g)].length;
  const blocks = [...readme.matchAll(BLOCK)];
  if (blocks.length !== opened) {
    throw new SyntaxError(
      `Cannot update the README: ${opened} bench blocks open, ${blocks.length} are closed by ` +
        "<!-- /bench:NAME -->",
    );
  }
  let out = "";
  let at = 0;
  for (const block of blocks) {
    const [whole, name, source, closing] = block;
    if (closing !== name) {
      throw new SyntaxError(
        `Cannot update the README block bench:${name}: it ends with <!-- /bench:${closing} -->`,
      );
    }
    const render = renderers[name];
    if (render === undefined) {
      throw new RangeError(
        `Cannot update the README block bench:${name}: expected one of ${
          Object.keys(renderers).join(", ")
        }`,
      );
    }
    const body = render(await readJson(source), source);
    out += readme.slice(at, block.index) +
      `<!-- bench:${name} ${source} -->\n\n${body}\n\n<!-- /bench:${name} -->`;
    at = block.index! + whole.length;
  }
  return out + readme.slice(at);
}

/** Options of {@linkcode writeReadmeFigures}. */
export interface ReadmeFiguresOptions {
  /** The README to update. @default {"README.md"} */
  file?: string;
  /** Only check: throw when a block is out of date, write nothing. @default {false} */
  check?: boolean;
}

/**
 * `deno task readme`: regenerates the benchmark blocks of the README from the benches' JSON
 * files; with `check`, throws instead when the README is out of date.
 *
 * @param options The README and the mode.
 * @returns Whether the README changed (or, with `check`, would change).
 *
 * @example
 * ```ts ignore
 * import { writeReadmeFigures } from "./readme_figures.ts";
 * await writeReadmeFigures({ check: true });
 * ```
 */
export async function writeReadmeFigures(options: ReadmeFiguresOptions = {}): Promise<boolean> {
  const file = options.file ?? "README.md";
  const readme = await Deno.readTextFile(file);
  const readJson = async (path: string) => {
    const full = join(dirname(file), path);
    try {
      return JSON.parse(await Deno.readTextFile(full));
    } catch (error) {
      if (error instanceof SyntaxError) {
        throw new SyntaxError(`Cannot parse ${full}: ${error.message}`);
      }
      throw error;
    }
  };
  const updated = await updateReadmeBlocks(readme, readJson);
  if (updated === readme) return false;
  if (options.check) {
    throw new Error(
      `${file} is out of date with the benchmarks' JSON: run deno task readme and commit it`,
    );
  }
  await writeFileAtomically(file, updated);
  return true;
}
