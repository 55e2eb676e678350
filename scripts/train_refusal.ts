/**
 * `deno run -A scripts/train_refusal.ts --data DIR --fonts A.woff,B.woff|FOLDER [--out runs/refuse]
 * [--epochs 15] [--non-digits 12000] [--per-batch 8] [--shares LETTERS,WORDS,PAIRS[,STROKES]] [--filters 8,16] [--units 128] [--parts 0 [--parts-digits-only]]`: trains the notebook's CNN (or a wider one) to read digits and
 * to spread its probabilities on letters, symbols, words, doodles, digit pairs and (the fourth
 * share) letters drawn as pen strokes from single-stroke fonts (outlier
 * exposure), then saves the best epoch's model in `OUT/model` (export it with `deno task export`).
 *
 * @module
 */
import { parseFlags } from "./_flags.ts";
import { trainRefusal } from "../src/train/train_refusal.ts";

const USAGE =
  "Usage: deno run -A scripts/train_refusal.ts --data DIR --fonts A.woff,B.woff|FOLDER [--out DIR] [--epochs N] [--non-digits N] [--per-batch N] [--shares L,W,P[,S]] [--filters F1,F2] [--units N] [--parts N [--parts-digits-only]]";

function parse(args: string[]) {
  return parseFlags({
    args,
    options: {
      data: { type: "string" },
      fonts: { type: "string" },
      out: { type: "string", default: "runs/refuse" },
      epochs: { type: "string", default: "15" },
      "non-digits": { type: "string", default: "12000" },
      "per-batch": { type: "string", default: "8" },
      shares: { type: "string" },
      filters: { type: "string" },
      units: { type: "string" },
      parts: { type: "string", default: "0" },
      "parts-digits-only": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  }, USAGE).values;
}

async function main(args: string[]): Promise<void> {
  const values = parse(args);
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (values.data === undefined || values.fonts === undefined) {
    console.error(USAGE);
    Deno.exit(2);
  }
  const parts = Number(values.parts);
  if (!/^\d+$/.test(values.parts) || !Number.isSafeInteger(parts)) {
    console.error(
      `Flag --parts must be a whole number of parts (0 or more), got "${values.parts}"`,
    );
    console.error(USAGE);
    Deno.exit(2);
  }
  await trainRefusal({
    data: values.data,
    fonts: values.fonts.split(","),
    out: values.out,
    epochs: Number(values.epochs),
    nonDigits: Number(values["non-digits"]),
    nonDigitsPerBatch: Number(values["per-batch"]),
    ...(values.shares === undefined ? {} : {
      shares: values.shares.split(",").map(Number) as
        | [number, number, number]
        | [number, number, number, number],
    }),
    ...(values.filters === undefined
      ? {}
      : { filters: values.filters.split(",").map(Number) as [number, number] }),
    ...(values.units === undefined ? {} : { units: Number(values.units) }),
    parts,
    partsDigitsOnly: values["parts-digits-only"],
  });
}

if (import.meta.main) await main(Deno.args);
