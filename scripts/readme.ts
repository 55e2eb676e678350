/**
 * `deno task readme [--check] [--file README.md]`: rewrites the README's generated benchmark
 * blocks (`<!-- bench:NAME FILE.json -->` … `<!-- /bench:NAME -->`) from the benches' `--out`
 * JSON; `--check` exits 1 when one is out of date instead.
 *
 * @module
 */
import { parseFlags } from "./_flags.ts";
import { writeReadmeFigures } from "../src/bench/readme_figures.ts";

const USAGE = "Usage: deno task readme [--check] [--file README.md]";

function parse(args: string[]) {
  return parseFlags({
    args,
    options: {
      check: { type: "boolean", default: false },
      file: { type: "string", default: "README.md" },
      help: { type: "boolean", short: "h", default: false },
    },
  }, USAGE).values;
}

if (import.meta.main) {
  const values = parse(Deno.args);
  if (values.help) {
    console.log(USAGE);
    Deno.exit(0);
  }
  try {
    const changed = await writeReadmeFigures(values);
    console.log(changed ? `Updated ${values.file}` : `${values.file} is up to date`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    Deno.exit(1);
  }
}
