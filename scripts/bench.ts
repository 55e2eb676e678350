/**
 * `deno task bench <what> [flags]`: runs one benchmark and prints its figures.
 *
 * - `train`: training samples/s per backend beside PyTorch on the same data.
 * - `step`: where one simd training step goes, ms by part.
 * - `photos`: photo-pipeline accuracy per kind beside the Python pipeline.
 * - `serve`: requests/s and latency of `deno task serve` under load.
 * - `hostile`: statuses, time and memory of `deno task serve` under hostile files, then a soak.
 *
 * @module
 */

const BENCHES: Record<string, string> = {
  train: "../src/bench/train.ts",
  step: "../src/bench/step.ts",
  photos: "../src/bench/photos.ts",
  serve: "../src/bench/serve.ts",
  hostile: "../src/bench/hostile.ts",
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
