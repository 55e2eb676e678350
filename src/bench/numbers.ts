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

/** The seed of the scan-like pages' own random stream, from the bench's seed. */
const scanSeed = (seed: number) => (seed ^ 0x5ca4) >>> 0;
/** The seed of the form fields' own random stream, from the bench's seed. */
const fieldSeed = (seed: number) => (seed ^ 0xf1e1d) >>> 0;
/** The seed of the tilted scenes' own random stream, from the bench's seed. */
const tiltSeed = (seed: number) => (seed ^ 0x7117) >>> 0;
/** The seed of the punctuated numbers' own random stream, from the bench's seed. */
const markSeed = (seed: number) => (seed ^ 0x2c2e) >>> 0;

async function benchSynthetic(
  model: Classifier,
  count: number,
  seed: number,
  scans: number,
  fields: number,
  tilted: number,
  punctuated: number,
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
  // Scan-like pages, from a random stream of their own: the photo-like scenes above stay the same
  // for a seed whatever `scans` is.
  const scanRng = mulberry32(scanSeed(seed));
  for (let n = 0; n < scans; n++) await readOne("scan", scanRng, false);
  const fieldRng = mulberry32(fieldSeed(seed));
  for (let n = 0; n < fields; n++) await readOne("field", fieldRng, false);
  const tiltRng = mulberry32(tiltSeed(seed));
  for (let n = 0; n < tilted; n++) await readOne("tilted", tiltRng, false);
  const markRng = mulberry32(markSeed(seed));
  for (let n = 0; n < punctuated; n++) await readOne("punctuated", markRng, false);
  const seconds = (performance.now() - started) / 1000;
  console.log(`Synthetic numbers (${set.source}, 2-8 digits, photo-like scenes, seed ${seed}):`);
  const apart = (layout: NumberLayout) =>
    ["scan", "field", "tilted", "punctuated"].includes(layout);
  for (const [layout, t] of by) if (!apart(layout)) console.log(line(layout, t));
  console.log(line("all", all));
  const scan = by.get("scan");
  if (scan !== undefined) {
    console.log(`Scan-like pages (${scans}, own random stream, seed ${scanSeed(seed)}):`);
    console.log(line("scan", scan));
  }
  const field = by.get("field");
  if (field !== undefined) {
    console.log(`Numbers in form fields (${fields}, own random stream, seed ${fieldSeed(seed)}):`);
    console.log(line("field", field));
  }
  const tilt = by.get("tilted");
  if (tilt !== undefined) {
    console.log(`Tilted photo-like scenes (${tilted}, own random stream, seed ${tiltSeed(seed)}):`);
    console.log(line("tilted", tilt));
  }
  const marked = by.get("punctuated");
  if (marked !== undefined) {
    console.log(
      `Numbers with separators (${punctuated}, own random stream, seed ${markSeed(seed)}):`,
    );
    console.log(line("punctuated", marked));
  }
  console.log(
    `${count + scans + fields + tilted + punctuated} images in ${
      seconds.toFixed(1)
    } s (rendering included)\n`,
  );
  const source = `${set.source}, 2-8 digits, photo-like scenes` +
    (scans > 0 ? ` (scan: ${scans} scan-like pages, not in "all")` : "") +
    (fields > 0 ? ` (field: ${fields} numbers in form fields, not in "all")` : "") +
    (tilted > 0 ? ` (tilted: ${tilted} scenes turned 10-45°, not in "all")` : "") +
    (punctuated > 0 ? ` (punctuated: ${punctuated} with separators, not in "all")` : "");
  const images = count + scans + fields + tilted + punctuated;
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
 * thousands separators, decimal points or dashes between groups, default 50, likewise), `--seed S`, `--no-python`,
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
      scan: { type: "string", default: "50" },
      fields: { type: "string", default: "50" },
      tilted: { type: "string", default: "50" },
      punctuated: { type: "string", default: "50" },
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
    Number(values.scan),
    Number(values.fields),
    Number(values.tilted),
    Number(values.punctuated),
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
