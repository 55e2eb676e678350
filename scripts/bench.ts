/**
 * `deno task bench <what> [flags]`: runs one benchmark and prints its figures.
 *
 * - `train`: training samples/s per backend beside PyTorch on the same data.
 * - `step`: where one simd training step goes, ms by part.
 * - `photos`: photo-pipeline accuracy per kind beside the Python pipeline.
 * - `serve`: requests/s and latency of `deno task serve` under load.
 * - `numbers`: whole numbers read right, on synthetic and real photos, beside Python and Tesseract.
 * - `refuse`: non-digits refused, single digits answered right, calibration.
 * - `hostile`: statuses, time and memory of `deno task serve` under hostile files, then a soak.
 *
 * @module
 */

/** Each bench's module, loaded only when asked for (each brings its own backends and data). */
const BENCHES: Record<string, () => Promise<{ runBench(args: string[]): Promise<void> }>> = {
  train: () => import("../src/bench/train.ts"),
  step: () => import("../src/bench/step.ts"),
  photos: () => import("../src/bench/photos.ts"),
  serve: () => import("../src/bench/serve.ts"),
  hostile: () => import("../src/bench/hostile.ts"),
  numbers: () => import("../src/bench/numbers.ts"),
  refuse: () => import("../src/bench/refuse.ts"),
};

const USAGE = `Usage: deno task bench <${Object.keys(BENCHES).join("|")}> [flags]
(each benchmark's flags: the JSDoc of runBench() in src/bench/<name>.ts, and the README)`;

/** An error of `parseArgs()` (node:util): an unknown flag, or a flag without its value. */
const isFlagError = (error: unknown): error is TypeError =>
  error instanceof TypeError &&
  String((error as { code?: unknown }).code).startsWith("ERR_PARSE_ARGS");

async function main(args: string[]): Promise<void> {
  const [what, ...rest] = args;
  if (what === "--help" || what === "-h") {
    console.log(USAGE);
    return;
  }
  const load = what === undefined ? undefined : BENCHES[what];
  if (load === undefined) {
    console.error(USAGE + (what === undefined ? "" : `\nUnknown benchmark "${what}"`));
    Deno.exit(2);
  }
  try {
    await (await load()).runBench(rest);
  } catch (error) {
    if (!isFlagError(error)) throw error;
    console.error(`deno task bench ${what}: ${error.message}\n${USAGE}`);
    Deno.exit(2);
  }
}

if (import.meta.main) await main(Deno.args);
