/**
 * `deno task bench photos`: accuracy of the photo pipeline and a model on the labelled real-world
 * photos of `../shared/photos`, per kind, beside the Python pipeline of `../shared/bench`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { selectBackend } from "../backend/select_backend.ts";
import { decideDigit, preprocessImage, writeDebugSteps } from "../preprocess/mod.ts";
import { DEFAULT_MODEL, loadClassifier } from "../model/mod.ts";
import { parsePhotoLabels, type PhotoRow } from "./_photo_labels.ts";
import { exists, writeFileAtomically } from "../io/mod.ts";

const SHARED = "../shared";
const PYTHON = "/usr/bin/python3";

/** Images read right (top-1), refused (no digit, not sure) and seen, for one kind or all. */
export interface Tally {
  correct: number;
  refused: number;
  total: number;
}

/** The TypeScript pipeline's scores: what `--out` writes under `ours`. */
export interface PhotoScores {
  /** The model folder used. */
  model: string;
  /** Every kind together. */
  all: Tally;
  /** Per kind of photo, sorted by name. */
  kinds: Record<string, Tally>;
  /** Images measured, and the seconds they took. */
  images: number;
  seconds: number;
}

/** One pipeline of the Python peer: images right out of images seen, overall and per kind. */
export interface PeerScores {
  all: { correct: number; total: number };
  kinds: Record<string, { correct: number; total: number }>;
}

/** What `deno task bench photos --out FILE` writes. */
export interface PhotoBenchResult {
  bench: "photos";
  /** When the run finished (ISO 8601). */
  date: string;
  /** The Deno version that ran it. */
  deno: string;
  ours: PhotoScores | null;
  /** The Python peer's pipelines (`mnist`: MNIST-style, `naive`), `null` when it did not run. */
  python: Record<string, PeerScores> | null;
  /** Why the Python peer did not run, when it did not. */
  pythonSkipped?: string;
}

function line(kind: string, t: Tally): string {
  const pct = (100 * t.correct / Math.max(1, t.total)).toFixed(1);
  return `${kind.padEnd(32)} ${String(t.correct).padStart(4)}/${String(t.total).padEnd(4)} ${
    pct.padStart(5)
  } %  (refused ${t.refused})`;
}

/** Runs the TypeScript pipeline on every row; prints per-kind figures and returns them. */
async function benchOurs(
  rows: PhotoRow[],
  root: string,
  model: string,
  minConfidence: number,
  debugDir: string | undefined,
): Promise<PhotoScores> {
  await selectBackend("wasm");
  const classifier = await loadClassifier(model, { missingHint: "Pass --model DIR" });
  const byKind = new Map<string, Tally>();
  const all: Tally = { correct: 0, refused: 0, total: 0 };
  const misses: string[] = [];
  const started = performance.now();
  for (const row of rows) {
    const bytes = await Deno.readFile(`${root}/${row.file}`);
    let guess: number | null = null;
    let refused = false;
    let argmax: number | null = null;
    let note = "";
    try {
      const result = await preprocessImage(bytes, { debug: debugDir !== undefined });
      if (result.input !== null) {
        const probs = await classifier.predict(result.input, 1);
        const decision = decideDigit(probs, result.stats, { minConfidence });
        argmax = decision.top[0].digit;
        guess = decision.digit;
        refused = guess === null;
        note = `${argmax} p=${decision.top[0].probability.toFixed(2)} ${decision.reason ?? ""}`;
      } else {
        refused = true;
        note = result.reason ?? "";
      }
      if (debugDir !== undefined && argmax !== row.label && result.steps) {
        const prefix = row.file.replace(/[^A-Za-z0-9]+/g, "_");
        await writeDebugSteps(result.steps, debugDir, `${row.label}-${prefix}`);
      }
    } catch (error) {
      refused = true;
      note = error instanceof Error ? error.message : String(error);
    }
    const t = byKind.get(row.kind) ?? { correct: 0, refused: 0, total: 0 };
    byKind.set(row.kind, t);
    for (const tally of [t, all]) {
      tally.total++;
      if (argmax === row.label) tally.correct++;
      if (refused) tally.refused++;
    }
    if (argmax !== row.label) misses.push(`  ${row.file} (${row.label}): ${note}`);
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `TypeScript pipeline, model ${model} (correct = top-1; refused = no digit / not sure)`,
  );
  for (const [kind, t] of [...byKind].sort()) console.log(line(kind, t));
  console.log(line("all", all));
  console.log(`${rows.length} images in ${seconds.toFixed(1)} s`);
  if (misses.length > 0) console.log(`Misses:\n${misses.join("\n")}`);
  const kinds = Object.fromEntries([...byKind].sort());
  // The misses name files of ../shared, which stays out of the repository: printed, not returned.
  return { model, all, kinds, images: rows.length, seconds };
}

/**
 * Reads the lines `photo_pipeline.py` (and `number_pipeline.py`) print, one per pipeline:
 * `mnist all 390/462 = 0.844 {'canvas_drawing': '31/54', …}`.
 */
export function parsePeerLines(text: string): Record<string, PeerScores> {
  const out: Record<string, PeerScores> = {};
  for (const match of text.matchAll(/^([\w+-]+) all (\d+)\/(\d+) = [\d.]+ \{(.*)\}$/gm)) {
    const kinds: PeerScores["kinds"] = {};
    for (const k of match[4].matchAll(/'([^']+)': '(\d+)\/(\d+)'/g)) {
      kinds[k[1]] = { correct: Number(k[2]), total: Number(k[3]) };
    }
    out[match[1]] = { all: { correct: Number(match[2]), total: Number(match[3]) }, kinds };
  }
  return out;
}

async function pythonHasTorch(): Promise<boolean> {
  if (!(await exists(PYTHON))) return false;
  const probe = new Deno.Command(PYTHON, {
    args: ["-c", "import torch, PIL, numpy"],
    stderr: "null",
  });
  return (await probe.output()).success;
}

/** Weights for the Python pipeline: cached under runs/bench, else trained by torch_seed.py. */
export async function torchWeights(): Promise<string> {
  const cached = "runs/bench/photo_torch.pt";
  if (await exists(cached)) return cached;
  await Deno.mkdir("runs/bench", { recursive: true });
  console.log(`Training the PyTorch peer once (torch_seed.py 2 10 ${cached}) …`);
  const train = new Deno.Command(PYTHON, {
    args: [`${SHARED}/bench/torch_seed.py`, "2", "10", cached],
    stdout: "inherit",
    stderr: "inherit",
  });
  if (!(await train.output()).success) throw new Error("torch_seed.py failed");
  return cached;
}

async function benchPython(
  labels: string,
  weights: string | undefined,
): Promise<Record<string, PeerScores> | string> {
  if (!(await pythonHasTorch())) {
    const why = `${PYTHON} lacks torch, PIL or numpy`;
    console.log(`Python peer skipped: ${why}`);
    return why;
  }
  const w = weights ?? await torchWeights();
  const filtered = await Deno.makeTempFile({ suffix: ".csv" });
  const text = await Deno.readTextFile(labels);
  const kept = text.split(/\r?\n/).filter((l, i) =>
    i === 0 || (l && !l.includes(",scan_sheet_grid,"))
  );
  await Deno.writeTextFile(filtered, kept.join("\n") + "\n");
  const root = labels.slice(0, labels.lastIndexOf("/"));
  console.log(`\nPython peer (${SHARED}/bench/photo_pipeline.py, weights ${w}):`);
  const run = new Deno.Command(PYTHON, {
    args: [`${SHARED}/bench/photo_pipeline.py`, w, filtered, root],
    stdout: "piped",
    stderr: "inherit",
  });
  const output = await run.output();
  const printed = new TextDecoder().decode(output.stdout);
  await Deno.stdout.write(output.stdout);
  await Deno.remove(filtered);
  if (!output.success) {
    console.log("Python peer failed");
    return "photo_pipeline.py failed";
  }
  return parsePeerLines(printed);
}

/**
 * Runs the photo benchmark. Flags: `--model DIR` (default `models/default`), `--labels CSV` (default `../shared/photos/labels.csv`), `--min-confidence p`,
 * `--debug DIR` (debug images of each miss), `--kind K` (one kind only), `--no-python`,
 * `--torch-weights FILE`, `--out FILE` (the figures as JSON, a {@linkcode PhotoBenchResult}, which
 * `deno task readme` turns into the README's figures).
 *
 * @example
 * ```ts ignore
 * import { runBench } from "./photos.ts";
 * await runBench(["--model", "models/default", "--no-python"]);
 * ```
 */
export async function runBench(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      model: { type: "string" },
      labels: { type: "string", default: `${SHARED}/photos/labels.csv` },
      "min-confidence": { type: "string", default: "0.5" },
      debug: { type: "string" },
      kind: { type: "string" },
      "no-python": { type: "boolean", default: false },
      "torch-weights": { type: "string" },
      out: { type: "string" },
    },
  });
  if (!(await exists(values.labels))) {
    console.log(`No ${values.labels}: nothing to measure (the photos live in ../shared)`);
    return;
  }
  const root = values.labels.slice(0, values.labels.lastIndexOf("/"));
  const rows = parsePhotoLabels(await Deno.readTextFile(values.labels), values.labels)
    .filter((r) => r.kind !== "scan_sheet_grid" && (!values.kind || r.kind === values.kind));
  const model = values.model ?? DEFAULT_MODEL;
  let ours: PhotoScores | null = null;
  try {
    ours = await benchOurs(rows, root, model, Number(values["min-confidence"]), values.debug);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    console.error(error.message);
    Deno.exitCode = 1;
  }
  const python = values["no-python"]
    ? "--no-python"
    : await benchPython(values.labels, values["torch-weights"]);
  if (values.out !== undefined) {
    const result: PhotoBenchResult = {
      bench: "photos",
      date: new Date().toISOString(),
      deno: Deno.version.deno,
      ours,
      python: typeof python === "string" ? null : python,
      ...(typeof python === "string" ? { pythonSkipped: python } : {}),
    };
    await writeFileAtomically(values.out, JSON.stringify(result, null, 2) + "\n");
    console.log(`Wrote ${values.out}`);
  }
}
