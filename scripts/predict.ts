/**
 * `deno task predict PHOTO… [--model DIR] [--json] [--debug DIR] [--min-confidence p] [--backend b]`: the number
 * in each photo (its digits, boxes and top three each; one digit as before), or a refusal with its
 * reason (`--json`: one JSON object per line).
 *
 * @module
 */
import { parseFlags } from "./_flags.ts";
import { formatPrediction, predictFiles } from "../src/preprocess/predict_files.ts";

const USAGE =
  "Usage: deno task predict PHOTO… [--model DIR] [--json] [--debug DIR] [--min-confidence 0-1] [--backend wasm|cpu]";

function parse(args: string[]) {
  return parseFlags({
    args,
    allowPositionals: true,
    options: {
      model: { type: "string", default: "models/default" },
      json: { type: "boolean", default: false },
      debug: { type: "string" },
      "min-confidence": { type: "string", default: "0.5" },
      backend: { type: "string", default: "wasm" },
      help: { type: "boolean", short: "h", default: false },
    },
  }, USAGE);
}

async function main(args: string[]): Promise<void> {
  const { values, positionals } = parse(args);
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const minConfidence = Number(values["min-confidence"]);
  if (positionals.length === 0 || !(minConfidence >= 0 && minConfidence <= 1)) {
    console.error(USAGE);
    Deno.exit(2);
  }
  let answers;
  try {
    answers = await predictFiles(positionals, {
      model: values.model,
      minConfidence,
      debugDir: values.debug,
      backend: values.backend,
    });
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    Deno.exit(1);
  }
  for (const a of answers) console.log(values.json ? JSON.stringify(a) : formatPrediction(a));
}

if (import.meta.main) await main(Deno.args);
