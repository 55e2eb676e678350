import { parseFlags } from "./_flags.ts";
import { runExport } from "../src/export/run_export.ts";

const USAGE = `Usage: deno task export [--model RUN/model] [--quantize none|float16|uint16|uint8]
                        [--layer NAME=QUANT ...] [--out DIR] [--backend cpu|wasm]
                        [--max-bytes N]

Exports a tfjs layers model to a quantized TF.js graph model (model.json, group1-shard1of1.bin,
metadata.json), checks it against the original on the validation digits and writes it only if
their top-1 agreement reaches the threshold for that quantization.

  --model     layers model folder, model.json or http(s) URL (default: newest runs/*/model)
  --quantize  weight storage (default: uint8)
  --layer     per-layer storage, repeatable, e.g. --layer conv1=float16
  --out       output folder (default: RUN/graph_model_<quantize>)
  --backend   tfjs backend for the check (default: cpu)
  --max-bytes size limit of model.json + shards (default: the notebook model's target for the
              storage, 45000 for uint8; the wider default model is exported with 150000)`;

function parseLayers(values: string[]): Record<string, string> {
  const perLayer: Record<string, string> = {};
  for (const value of values) {
    const match = /^([^=]+)=([^=]+)$/.exec(value);
    if (!match) {
      throw new RangeError(
        `Cannot parse --layer "${value}": expected NAME=QUANT, e.g. conv1=float16`,
      );
    }
    perLayer[match[1]] = match[2];
  }
  return perLayer;
}

function parse(args: string[]) {
  return parseFlags({
    args,
    options: {
      model: { type: "string" },
      out: { type: "string" },
      quantize: { type: "string" },
      layer: { type: "string", multiple: true },
      backend: { type: "string" },
      "max-bytes": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  }, USAGE).values;
}

async function main(args: string[]): Promise<number> {
  const values = parse(args);
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  await runExport({
    model: values.model,
    out: values.out,
    quantize: values.quantize,
    perLayer: parseLayers(values.layer ?? []),
    backend: values.backend,
    ...(values["max-bytes"] === undefined ? {} : { maxBytes: Number(values["max-bytes"]) }),
  });
  return 0;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (error) {
    console.error(`Error: ${error instanceof Error ? error.message : String(error)}`);
    Deno.exit(1);
  }
}
