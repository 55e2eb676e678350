/**
 * `deno task bench <what> [flags]`: runs one benchmark and prints its figures.
 *
 * - `train`: training samples/s per backend beside PyTorch on the same data.
 * - `step`: where one simd training step goes, ms by part.
 * - `photos`: photo-pipeline accuracy per kind beside the Python pipeline.
 * - `serve`: requests/s and latency of `deno task serve` under load.
 * - `numbers`: whole numbers read right, on synthetic and real photos, beside Python and Tesseract.
 * - `refuse`: non-digits refused, single digits answered right, calibration.
 *
 * @module
 */

const BENCHES: Record<string, string> = {
  train: "../src/bench/train.ts",
  step: "../src/bench/step.ts",
  photos: "../src/bench/photos.ts",
  serve: "../src/bench/serve.ts",
  numbers: "../src/bench/numbers.ts",
  refuse: "../src/bench/refuse.ts",
};

async function main(args: string[]): Promise<void> {
  const [what, ...rest] = args;
  const path = what === undefined ? undefined : BENCHES[what];
  if (path === undefined) {
    console.error(
      `Usage: deno task bench <${Object.keys(BENCHES).join("|")}> [flags]` +
        (what === undefined ? "" : `\nUnknown benchmark "${what}"`),
    );
    Deno.exit(2);
  }
  const mod: { runBench(args: string[]): Promise<void> } = await import(path);
  await mod.runBench(rest);
}

if (import.meta.main) await main(Deno.args);
