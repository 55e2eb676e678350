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
import { exists, writeFileAtomically } from "../io/mod.ts";
import { mulberry32, type Prng } from "../data/prng.ts";
import { type Classifier, DEFAULT_MODEL, loadClassifier } from "../model/mod.ts";
import { readNumber } from "../preprocess/read_number.ts";
import { type NumberLayout, renderNumberScene } from "./_number_scenes.ts";
import { loadTestDigits } from "./_test_digits.ts";
import { csvFields } from "./_photo_labels.ts";
import { parsePeerLines, type PeerScores, torchWeights } from "./photos.ts";

const SHARED = "../shared";
const PYTHON = "/usr/bin/python3";
const MNIST_TEST = `${SHARED}/data/mnist/t10k-images-idx3-ubyte.gz`;

/** Whole numbers read right, refused and tried. */
export interface NumberTally {
  right: number;
  refused: number;
  total: number;
}
type Tally = NumberTally;

/** One set's figures: per layout or kind, and overall. */
export interface NumberScores {
  /** Where the images came from. */
  source: string;
  by: Record<string, NumberTally>;
  all: NumberTally;
  images: number;
  seconds: number;
}

/** What `deno task bench numbers --out FILE` writes (`deno task readme` renders it). */
export interface NumbersBenchResult {
  bench: "numbers";
  /** When the run finished (ISO 8601). */
  date: string;
  /** The Deno version that ran it. */
  deno: string;
  /** The bench's flags, as given. */
  args: string[];
  model: string;
  /** Synthetic numbers from MNIST's test digits. */
  synthetic: NumberScores & { seed: number };
  /** The real photos, `null` without `../shared`. */
  real: NumberScores | null;
  /** The Python peer's readers (`components+cnn`, `tesseract`) on the same photos, or `null`. */
  python: Record<string, PeerScores> | null;
  /** Why the Python peer did not run, when it did not. */
  pythonSkipped?: string;
  /** The peer's weights, when it ran. */
  pythonWeights?: string;
}

function line(name: string, t: Tally): string {
  const pct = (100 * t.right / Math.max(1, t.total)).toFixed(1);
  return `${name.padEnd(24)} ${String(t.right).padStart(4)}/${String(t.total).padEnd(4)} ${
    pct.padStart(5)
  } %  (refused ${t.refused})`;
}

async function read(model: Classifier, bytes: Uint8Array): Promise<string | null> {
  try {
    return (await readNumber(bytes, model)).number;
  } catch (error) {
    return `error: ${(error as Error).message}`;
  }
}

/**
 * The kinds of scene read apart from the photo-like numbers ("all"), each from a random stream of
 * its own (the bench's seed mixed with `salt`), so that the other scenes of a seed stay the same
 * whatever is asked of these: the flag that says how many, and the title of their figures.
 */
const APART: ReadonlyArray<{ layout: NumberLayout; flag: string; salt: number; title: string }> = [
  { layout: "scan", flag: "scan", salt: 0x5ca4, title: "Scan-like pages" },
  { layout: "field", flag: "fields", salt: 0xf1e1d, title: "Numbers in form fields" },
  { layout: "tilted", flag: "tilted", salt: 0x7117, title: "Photo-like scenes turned 10-45°" },
  { layout: "punctuated", flag: "punctuated", salt: 0x2c2e, title: "Numbers with separators" },
  { layout: "squared", flag: "squared", salt: 0x9d1d, title: "Numbers on squared paper" },
  { layout: "joined", flag: "joined", salt: 0x701d, title: "Numbers written in one movement" },
];

async function benchSynthetic(
  model: Classifier,
  count: number,
  seed: number,
  apart: Record<string, number>,
): Promise<NumberScores & { seed: number }> {
  const set = await loadTestDigits(MNIST_TEST);
  const rng = mulberry32(seed);
  const by = new Map<NumberLayout, Tally>();
  const all: Tally = { right: 0, refused: 0, total: 0 };
  const started = performance.now();
  /** Renders a number of 2-8 digits in `layout` from `random`, reads it, and counts it in the
   * layout's tally (and in `all` when `inAll`). */
  const readOne = async (layout: NumberLayout, random: Prng, inAll: boolean) => {
    const length = 2 + Math.floor(random() * 7);
    const indices = Array.from({ length }, () => Math.floor(random() * set.count));
    const scene = await renderNumberScene(set, indices, layout, random);
    const got = await read(model, scene.bytes);
    const t = by.get(layout) ?? { right: 0, refused: 0, total: 0 };
    by.set(layout, t);
    for (const tally of inAll ? [t, all] : [t]) {
      tally.total++;
      if (got === scene.number) tally.right++;
      if (got === null) tally.refused++;
    }
  };
  for (let n = 0; n < count; n++) {
    await readOne((["gap", "touching", "overlap"] as const)[n % 3], rng, true);
  }
  let images = count;
  for (const kind of APART) {
    const random = mulberry32((seed ^ kind.salt) >>> 0);
    const n = apart[kind.flag] ?? 0;
    for (let i = 0; i < n; i++) await readOne(kind.layout, random, false);
    images += n;
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(`Synthetic numbers (${set.source}, 2-8 digits, photo-like scenes, seed ${seed}):`);
  for (const [layout, t] of by) {
    if (!APART.some((k) => k.layout === layout)) console.log(line(layout, t));
  }
  console.log(line("all", all));
  let source = `${set.source}, 2-8 digits, photo-like scenes`;
  for (const kind of APART) {
    const t = by.get(kind.layout);
    if (t === undefined) continue;
    const stream = (seed ^ kind.salt) >>> 0;
    console.log(`${kind.title} (${t.total}, own random stream, seed ${stream}):`);
    console.log(line(kind.layout, t));
    source += ` (${kind.layout}: ${t.total} ${kind.title.toLowerCase()}, not in "all")`;
  }
  console.log(`${images} images in ${seconds.toFixed(1)} s (rendering included)\n`);
  return { source, by: Object.fromEntries(by), all, images, seconds, seed };
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

async function benchReal(
  model: Classifier,
  labels: string,
  verbose: boolean,
): Promise<NumberScores> {
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
  const sorted = Object.fromEntries([...by].sort());
  return { source: labels, by: sorted, all, images: rows.length, seconds };
}

async function benchPython(
  labels: string,
  given: string | undefined,
): Promise<{ scores: Record<string, PeerScores>; weights: string } | string> {
  const probe = await exists(PYTHON) && (await new Deno.Command(PYTHON, {
    args: ["-c", "import torch, PIL, numpy, scipy"],
    stderr: "null",
  }).output()).success;
  if (!probe) {
    const why = `${PYTHON} lacks torch, PIL, numpy or scipy`;
    console.log(`\nPython peer skipped: ${why}`);
    return why;
  }
  const weights = given ?? await torchWeights();
  const root = labels.slice(0, labels.lastIndexOf("/"));
  console.log(`\nPython peer (${SHARED}/bench/number_pipeline.py, weights ${weights}):`);
  const run = new Deno.Command(PYTHON, {
    args: [`${SHARED}/bench/number_pipeline.py`, weights, labels, root],
    stdout: "piped",
    stderr: "inherit",
  });
  const output = await run.output();
  await Deno.stdout.write(output.stdout);
  if (!output.success) {
    console.log("Python peer failed");
    return "number_pipeline.py failed";
  }
  return { scores: parsePeerLines(new TextDecoder().decode(output.stdout)), weights };
}

/**
 * Runs the numbers benchmark. Flags: `--model DIR`, `--labels CSV` (default
 * `../shared/photos_multi/labels.csv`), `--synthetic N` (default 150: gap, touching and overlap in
 * turn), `--scan N` (scan-like pages, default 50, from a random stream of their own so that the
 * other scenes stay the same; counted apart from "all"), `--fields N` (numbers written in a form's
 * box and cut out tight around it, default 50, from a stream of their own, apart from "all"),
 * `--tilted N` (photo-like scenes turned 10-45°, default 50, likewise), `--punctuated N` (with
 * thousands separators, decimal points or dashes between groups, default 50, likewise),
 * `--squared N` (on squared paper, default 50, likewise), `--joined N` (neighbours linked by the
 * pen's connecting stroke, default 50, likewise), `--seed S`, `--no-python`,
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
      ...Object.fromEntries(
        APART.map((k) => [k.flag, { type: "string" as const, default: "50" }]),
      ),
      seed: { type: "string", default: "20260" },
      "no-python": { type: "boolean", default: false },
      "torch-weights": { type: "string" },
      verbose: { type: "boolean", default: false },
      out: { type: "string" },
    },
  });
  await selectBackend("wasm");
  const model = await loadClassifier(values.model);
  const synthetic = await benchSynthetic(
    model,
    Number(values.synthetic),
    Number(values.seed),
    Object.fromEntries(
      APART.map((k) => [k.flag, Number((values as Record<string, unknown>)[k.flag])]),
    ),
  );
  let real: NumberScores | null = null;
  let peer: Awaited<ReturnType<typeof benchPython>> = "no real photos";
  if (!(await exists(values.labels))) {
    console.log(`No ${values.labels}: real photos not measured (they live in ../shared)`);
  } else {
    real = await benchReal(model, values.labels, values.verbose);
    peer = values["no-python"]
      ? "--no-python"
      : await benchPython(values.labels, values["torch-weights"]);
  }
  if (values.out !== undefined) {
    const result: NumbersBenchResult = {
      bench: "numbers",
      date: new Date().toISOString(),
      deno: Deno.version.deno,
      args,
      model: values.model,
      synthetic,
      real,
      ...(typeof peer === "string"
        ? { python: null, pythonSkipped: peer }
        : { python: peer.scores, pythonWeights: peer.weights }),
    };
    await writeFileAtomically(values.out, JSON.stringify(result, null, 2) + "\n");
    console.log(`Wrote ${values.out}`);
  }
}
