/**
 * `deno task readme [--check] [--file README.md]`: rewrites the README's generated benchmark
 * blocks (`<!-- bench:NAME FILE.json -->` … `<!-- /bench:NAME -->`) from the benches' `--out`
 * JSON; `--check` exits 1 when one is out of date instead.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { writeReadmeFigures } from "../src/bench/readme_figures.ts";

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      check: { type: "boolean", default: false },
      file: { type: "string", default: "README.md" },
    },
  });
  try {
    const changed = await writeReadmeFigures(values);
    console.log(changed ? `Updated ${values.file}` : `${values.file} is up to date`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    Deno.exit(1);
  }
}
