/**
 * `deno task bench refuse`: how honestly the reader refuses. On `../shared/photos_nondigit`
 * (letters, words, symbols, doodles; `ambiguous` rows left out) the share refused; on
 * `../shared/photos` the single digits answered and right; the model's MNIST test accuracy; the
 * temperature fitted on the validation digits and the expected calibration error on the test
 * digits before and after it; and the share of held-out digits answered at each threshold.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { selectBackend } from "../backend/select_backend.ts";
import { exists, writeFileAtomically } from "../io/mod.ts";
import { loadMnistIdx } from "../data/load_mnist_idx.ts";
import { splitDigits } from "../data/split_digits.ts";
import type { DigitSet } from "../data/types.ts";
import { type Classifier, DEFAULT_MODEL, loadClassifier } from "../model/mod.ts";
import { calibrate, DEFAULT_TEMPERATURE } from "../preprocess/decide_digit.ts";
import { readNumber } from "../preprocess/read_number.ts";
import { csvFields } from "./_photo_labels.ts";
import { mulberry32 } from "../data/prng.ts";
import {
  installSceneFonts,
  NON_DIGIT_KINDS,
  renderNonDigitScene,
  renderStrokeScene,
} from "./_non_digit_scenes.ts";
import { renderNumberScene } from "./_number_scenes.ts";
import { loadTestDigits } from "./_test_digits.ts";

const SHARED = "../shared";
const MNIST = `${SHARED}/data/mnist`;

/** Reads a labels CSV into rows of named fields. */
async function readCsv(path: string): Promise<Array<Record<string, string>>> {
  const lines = (await Deno.readTextFile(path)).split(/\r?\n/).filter((l) => l.trim() !== "");
  const header = csvFields(lines[0]);
  return lines.slice(1).map((l) => {
    const f = csvFields(l);
    return Object.fromEntries(header.map((h, i) => [h, f[i]]));
  });
}

/** Refused and shown, of one category of non-digits. */
export interface RefusedTally {
  refused: number;
  total: number;
}

/** What `deno task bench refuse --out FILE` writes (`deno task readme` renders it). */
export interface RefuseBenchResult {
  bench: "refuse";
  /** When the run finished (ISO 8601). */
  date: string;
  /** The Deno version that ran it. */
  deno: string;
  /** The bench's flags, as given. */
  args: string[];
  model: string;
  /** Non-digit photos refused, by category and overall; `null` without `../shared`. */
  nonDigits: { source: string; by: Record<string, RefusedTally>; all: RefusedTally } | null;
  /**
   * The project's own non-digits refused (letters and words in the fonts of `--fonts`, doodles;
   * `src/bench/_non_digit_scenes.ts`); absent without `--fonts`.
   */
  synthetic?: { source: string; seed: number; by: Record<string, RefusedTally>; all: RefusedTally };
  /**
   * The project's own held-out stroke letters refused (`--strokes N` scenes of letters, symbols
   * and words drawn as pen strokes in single-stroke fonts the training never used, from `--seed`);
   * absent without `--strokes`.
   */
  strokes?: { source: string; seed: number } & RefusedTally;
  /**
   * Photo-like scenes of one MNIST test digit each (`--digit-scenes N`, from `--scene-seed S`),
   * read by `readNumber()`: right, refused and wrong; absent without `--digit-scenes`.
   */
  digitScenes?: DigitScenesTally;
  /** Single-digit photos answered and right; `null` without `../shared`. */
  digits: { source: string; right: number; refused: number; wrong: number; total: number } | null;
  /** MNIST test accuracy and calibration; `null` without `../shared`. */
  calibration: {
    testAccuracy: number;
    testCount: number;
    validationCount: number;
    /** The temperature fitted on the validation digits. */
    fitted: number;
    /** `DEFAULT_TEMPERATURE` of `decide_digit.ts` when the bench ran. */
    defaultTemperature: number;
    /** Expected calibration error on the test digits at T = 1 and at the fitted T. */
    eceBefore: number;
    eceAfter: number;
    /** Share of validation digits answered at each `--min-confidence`, at the default T. */
    answeredAt: Record<string, number>;
  } | null;
}

const pct = (a: number, b: number) => `${a}/${b} (${(100 * a / Math.max(1, b)).toFixed(1)} %)`;

async function benchNonDigits(
  model: Classifier,
  labels: string,
  verbose: boolean,
): Promise<RefuseBenchResult["nonDigits"]> {
  const root = labels.slice(0, labels.lastIndexOf("/"));
  const rows = (await readCsv(labels)).filter((r) => r.category !== "ambiguous");
  const by = new Map<string, [number, number]>();
  const answered: string[] = [];
  for (const row of rows) {
    let refused = true;
    let note = "";
    try {
      const reading = await readNumber(await Deno.readFile(`${root}/${row.file}`), model);
      refused = reading.number === null;
      note = reading.number ?? "";
    } catch (error) {
      note = (error as Error).message;
    }
    const [r, n] = by.get(row.category) ?? [0, 0];
    by.set(row.category, [r + (refused ? 1 : 0), n + 1]);
    if (!refused) answered.push(`  ${row.file} (${row.category}) read ${note}`);
  }
  console.log(`Non-digits refused (${labels}, ambiguous left out):`);
  let [tr, tn] = [0, 0];
  for (const [category, [r, n]] of [...by].sort()) {
    console.log(`  ${category.padEnd(10)} ${pct(r, n)}`);
    [tr, tn] = [tr + r, tn + n];
  }
  console.log(`  ${"all".padEnd(10)} ${pct(tr, tn)}`);
  if (verbose && answered.length > 0) console.log(`Answered:\n${answered.join("\n")}`);
  const byCategory = [...by].sort().map(([c, [r, n]]) => [c, { refused: r, total: n }]);
  return { source: labels, by: Object.fromEntries(byCategory), all: { refused: tr, total: tn } };
}

async function benchSyntheticNonDigits(
  model: Classifier,
  fonts: string[],
  count: number,
  seed: number,
): Promise<NonNullable<RefuseBenchResult["synthetic"]>> {
  const installed = await installSceneFonts(fonts);
  const rng = mulberry32(seed);
  const by: Record<string, RefusedTally> = {};
  const all: RefusedTally = { refused: 0, total: 0 };
  try {
    for (let n = 0; n < count; n++) {
      const kind = NON_DIGIT_KINDS[n % NON_DIGIT_KINDS.length];
      const reading = await readNumber(await renderNonDigitScene(kind, installed, rng), model);
      const t = by[kind] ??= { refused: 0, total: 0 };
      for (const tally of [t, all]) {
        tally.total++;
        if (reading.number === null) tally.refused++;
      }
    }
  } finally {
    await installed.dispose();
  }
  const families = fonts.map((f) => f.slice(f.lastIndexOf("/") + 1)).join(", ");
  const source = `own non-digits: letters and words in ${families}, doodles`;
  console.log(`Non-digits refused, ${source} (seed ${seed}):`);
  for (const [kind, t] of Object.entries(by)) {
    console.log(`  ${kind.padEnd(8)} ${pct(t.refused, t.total)}`);
  }
  console.log(`  ${"all".padEnd(8)} ${pct(all.refused, all.total)}`);
  return { source, seed, by, all };
}

/**
 * Reads `count` scenes of held-out stroke letters (`renderStrokeScene()`) from `seed` with
 * `readNumber()`, and counts the refused.
 */
async function benchStrokes(
  model: Classifier,
  count: number,
  seed: number,
): Promise<NonNullable<RefuseBenchResult["strokes"]>> {
  const rng = mulberry32(seed);
  let refused = 0;
  for (let n = 0; n < count; n++) {
    const reading = await readNumber(await renderStrokeScene(rng), model);
    if (reading.number === null) refused++;
  }
  const source = "own stroke letters: letters, symbols and words in held-out single-stroke fonts";
  console.log(`Non-digits refused, ${source} (seed ${seed}): ${pct(refused, count)}`);
  return { source, seed, refused, total: count };
}

async function benchDigits(
  model: Classifier,
  labels: string,
): Promise<RefuseBenchResult["digits"]> {
  const root = labels.slice(0, labels.lastIndexOf("/"));
  const rows = (await readCsv(labels)).filter((r) => r.kind !== "scan_sheet_grid");
  let [right, refused, wrong] = [0, 0, 0];
  for (const row of rows) {
    try {
      const reading = await readNumber(await Deno.readFile(`${root}/${row.file}`), model);
      if (reading.number === row.label) right++;
      else if (reading.number === null) refused++;
      else wrong++;
    } catch {
      refused++;
    }
  }
  console.log(
    `Single digits (${labels}): answered and right ${pct(right, rows.length)}; ` +
      `refused ${refused}, wrong ${wrong}`,
  );
  return { source: labels, right, refused, wrong, total: rows.length };
}

/** Scenes of one digit read right, refused, and answered wrong (see {@linkcode benchDigitScenes}). */
export interface DigitScenesTally {
  /** Where the digits came from. */
  source: string;
  seed: number;
  right: number;
  refused: number;
  wrong: number;
  total: number;
}

/**
 * Reads `count` photo-like scenes (`renderNumberScene()`), each of ONE digit of `set` picked at
 * random from `seed`, with `readNumber()`: how many are read right, refused, and answered wrong
 * (a wrong digit, or more than one). The single-digit check of the number reader on the
 * project's own images (pass MNIST's test digits, never training digits).
 *
 * @example
 * ```ts ignore
 * const tally = await benchDigitScenes(model, await loadTestDigitGrid(), 400, 4242);
 * // tally.right + tally.refused + tally.wrong === 400
 * ```
 */
export async function benchDigitScenes(
  model: Classifier,
  set: DigitSet,
  count: number,
  seed: number,
): Promise<DigitScenesTally> {
  const rng = mulberry32(seed);
  let [right, refused, wrong] = [0, 0, 0];
  for (let n = 0; n < count; n++) {
    const index = Math.floor(rng() * set.count);
    const scene = await renderNumberScene(set, [index], "gap", rng);
    let got: string | null = null;
    try {
      got = (await readNumber(scene.bytes, model)).number;
    } catch {
      got = null;
    }
    if (got === scene.number) right++;
    else if (got === null) refused++;
    else wrong++;
  }
  console.log(
    `Scenes of one digit (${set.source}, seed ${seed}): right ${pct(right, count)}, ` +
      `refused ${refused}, wrong ${wrong}`,
  );
  return { source: set.source, seed, right, refused, wrong, total: count };
}

/** The whole number ≥ 0 given to the flag `name`, or a `RangeError` that says what was given. */
function countFlag(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a whole number ≥ 0, got ${text}`);
  }
  return value;
}

/** Top probabilities and correctness of the model on `set`, after temperature `t`. */
function scored(probabilities: Float32Array, set: DigitSet, t: number) {
  const top = new Float64Array(set.count);
  const right = new Uint8Array(set.count);
  let nll = 0;
  for (let i = 0; i < set.count; i++) {
    const row = calibrate(probabilities.subarray(i * 10, i * 10 + 10), t);
    let best = 0;
    for (let c = 1; c < 10; c++) if (row[c] > row[best]) best = c;
    top[i] = row[best];
    right[i] = best === set.labels![i] ? 1 : 0;
    nll -= Math.log(Math.max(row[set.labels![i]], 1e-12));
  }
  return { top, right, nll: nll / set.count };
}

/** Expected calibration error over 15 equal-width confidence bins. */
function ece(top: Float64Array, right: Uint8Array): number {
  const bins = 15;
  const conf = new Float64Array(bins);
  const acc = new Float64Array(bins);
  const count = new Float64Array(bins);
  for (let i = 0; i < top.length; i++) {
    const b = Math.min(bins - 1, Math.floor(top[i] * bins));
    conf[b] += top[i];
    acc[b] += right[i];
    count[b]++;
  }
  let sum = 0;
  for (let b = 0; b < bins; b++) sum += Math.abs(acc[b] - conf[b]);
  return sum / top.length;
}

async function predictAll(model: Classifier, set: DigitSet): Promise<Float32Array> {
  const out = new Float32Array(set.count * 10);
  for (let from = 0; from < set.count; from += 500) {
    const n = Math.min(500, set.count - from);
    const pixels = Float32Array.from(
      set.images.subarray(from * 784, (from + n) * 784),
      (v) => v / 255,
    );
    out.set(await model.predict(pixels, n), from * 10);
  }
  return out;
}

async function benchCalibration(model: Classifier): Promise<RefuseBenchResult["calibration"]> {
  const train = await loadMnistIdx(`${MNIST}/train-images-idx3-ubyte.gz`);
  const { validation } = splitDigits(train, { validationSplit: 0.2, seed: 1212 });
  const test = await loadMnistIdx(`${MNIST}/t10k-images-idx3-ubyte.gz`);
  const [pv, pt] = [await predictAll(model, validation), await predictAll(model, test)];
  let best = { t: 1, nll: Infinity };
  for (let t = 0.5; t <= 4.001; t += 0.05) {
    const { nll } = scored(pv, validation, t);
    if (nll < best.nll) best = { t: Math.round(t * 100) / 100, nll };
  }
  const before = scored(pt, test, 1);
  const after = scored(pt, test, best.t);
  const accuracy = before.right.reduce((a, b) => a + b, 0) / test.count;
  console.log(`MNIST test accuracy: ${(100 * accuracy).toFixed(2)} % (${test.count} digits)`);
  console.log(
    `Temperature fitted on ${validation.count} validation digits (NLL): T = ${best.t} ` +
      `(DEFAULT_TEMPERATURE in decide_digit.ts: ${DEFAULT_TEMPERATURE})`,
  );
  console.log(
    `ECE on the test digits (15 bins): ${ece(before.top, before.right).toFixed(4)} at T = 1, ` +
      `${ece(after.top, after.right).toFixed(4)} at T = ${best.t}`,
  );
  const atDefault = scored(pv, validation, DEFAULT_TEMPERATURE).top.slice().sort();
  const answeredAt: Record<string, number> = {};
  const line = [0.5, 0.7, 0.8, 0.9, 0.95].map((m) => {
    const kept = atDefault.filter((p) => p >= m).length;
    answeredAt[String(m)] = kept / atDefault.length;
    return `${m}: ${(100 * kept / atDefault.length).toFixed(2)} %`;
  });
  console.log(
    `Validation digits answered at each --min-confidence (T = ${DEFAULT_TEMPERATURE}): ${
      line.join(", ")
    }`,
  );
  return {
    testAccuracy: accuracy,
    testCount: test.count,
    validationCount: validation.count,
    fitted: best.t,
    defaultTemperature: DEFAULT_TEMPERATURE,
    eceBefore: ece(before.top, before.right),
    eceAfter: ece(after.top, after.right),
    answeredAt,
  };
}

/**
 * Runs the refusal benchmark. Flags: `--model DIR`, `--verbose` (list the non-digits answered),
 * `--fonts A.woff,B.woff` (handwriting fonts the refusal training never used: also measure the
 * project's own non-digits, `--synthetic N` of them, default 150, from `--seed S`, default 99),
 * `--strokes N` (also N held-out stroke letters, from the same `--seed`: letters, symbols and
 * words drawn as pen strokes in single-stroke fonts the training never used),
 * `--digit-scenes N` (also read N photo-like scenes of one MNIST test digit each, from
 * `--scene-seed S`, default 4242: right, refused, wrong), `--out FILE` (the figures as JSON, a
 * {@linkcode RefuseBenchResult}, which `deno task readme` turns into the README's figures).
 *
 * @example
 * ```ts ignore
 * import { runBench } from "./refuse.ts";
 * await runBench([]);
 * ```
 */
export async function runBench(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      model: { type: "string", default: DEFAULT_MODEL },
      verbose: { type: "boolean", default: false },
      fonts: { type: "string" },
      synthetic: { type: "string", default: "150" },
      seed: { type: "string", default: "99" },
      "digit-scenes": { type: "string", default: "0" },
      strokes: { type: "string", default: "0" },
      "scene-seed": { type: "string", default: "4242" },
      out: { type: "string" },
    },
  });
  await selectBackend("wasm");
  const model = await loadClassifier(values.model);
  console.log(`Model ${values.model}`);
  const nonDigits = `${SHARED}/photos_nondigit/labels.csv`;
  const digits = `${SHARED}/photos/labels.csv`;
  const result: RefuseBenchResult = {
    bench: "refuse",
    date: "",
    deno: Deno.version.deno,
    args,
    model: values.model,
    nonDigits: null,
    digits: null,
    calibration: null,
  };
  if (values.fonts !== undefined) {
    result.synthetic = await benchSyntheticNonDigits(
      model,
      values.fonts.split(","),
      Number(values.synthetic),
      Number(values.seed),
    );
  }
  const strokes = countFlag("--strokes", values.strokes);
  if (strokes > 0) result.strokes = await benchStrokes(model, strokes, Number(values.seed));
  const scenes = countFlag("--digit-scenes", values["digit-scenes"]);
  if (scenes > 0) {
    const test = await loadTestDigits(`${MNIST}/t10k-images-idx3-ubyte.gz`);
    result.digitScenes = await benchDigitScenes(model, test, scenes, Number(values["scene-seed"]));
  }
  if (await exists(nonDigits)) {
    result.nonDigits = await benchNonDigits(model, nonDigits, values.verbose);
  } else console.log(`No ${nonDigits}: refusals not measured (the photos live in ../shared)`);
  if (await exists(digits)) result.digits = await benchDigits(model, digits);
  else console.log(`No ${digits}: single digits not measured`);
  if (await exists(`${MNIST}/t10k-images-idx3-ubyte.gz`)) {
    result.calibration = await benchCalibration(model);
  } else console.log(`No ${MNIST}: accuracy and calibration not measured`);
  if (values.out !== undefined) {
    result.date = new Date().toISOString();
    await writeFileAtomically(values.out, JSON.stringify(result, null, 2) + "\n");
    console.log(`Wrote ${values.out}`);
  }
}
