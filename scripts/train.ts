/**
 * `deno task train [flags]`: trains the notebook's CNN and writes a run folder.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { resolveTrainConfig, type TrainConfig } from "../src/train/config.ts";
import { train } from "../src/train/train.ts";

const USAGE = `Usage: deno task train [flags]

  --data PATH             Kaggle train.csv[.gz], MNIST IDX file or folder (default: embedded 10,000 MNIST digits)
  --test PATH             Kaggle test.csv[.gz]: also write submission.csv
  --out DIR               run folder (default: runs/<timestamp>/)
  --epochs N              passes over the training set (default 10)
  --batch-size N          images per step (default 32)
  --validation-split F    share held out for validation (default 0.2)
  --seed N                seed of split, shuffles and initialisers (default 1212)
  --limit N               use only the first N labelled rows
  --backend NAME          auto | webgpu | simd | cpu (default auto)
  --threads N             simd backend: 1, or 2 for a helper thread on the second core (default 1)
  --learning-rate F       Adam's learning rate (default 0.001)
  --recipe NAME           notebook | robust (augmented for photos) (default notebook)
  --tsne                  also draw a t-SNE picture of 1,000 training digits
  --tensorboard DIR       write TensorBoard event files there
  --no-progress           no progress bars
  -h, --help              this text`;

function number(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === "" || Number.isNaN(n)) {
    throw new TypeError(`Invalid --${flag}: expected a number, received "${value}"`);
  }
  return n;
}

function parseFlags(args: string[]): { config: TrainConfig; progress: boolean } | null {
  const { values } = parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      data: { type: "string" },
      test: { type: "string" },
      out: { type: "string" },
      epochs: { type: "string" },
      "batch-size": { type: "string" },
      "validation-split": { type: "string" },
      seed: { type: "string" },
      limit: { type: "string" },
      backend: { type: "string" },
      threads: { type: "string" },
      "learning-rate": { type: "string" },
      recipe: { type: "string" },
      tsne: { type: "boolean" },
      tensorboard: { type: "string" },
      "no-progress": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return null;
  const config = resolveTrainConfig({
    data: values.data,
    test: values.test,
    out: values.out,
    epochs: number("epochs", values.epochs),
    batchSize: number("batch-size", values["batch-size"]),
    validationSplit: number("validation-split", values["validation-split"]),
    seed: number("seed", values.seed),
    limit: number("limit", values.limit),
    backend: values.backend as TrainConfig["backend"] | undefined,
    threads: number("threads", values.threads),
    learningRate: number("learning-rate", values["learning-rate"]),
    recipe: values.recipe as TrainConfig["recipe"] | undefined,
    tsne: values.tsne,
    tensorboard: values.tensorboard,
  });
  return { config, progress: !values["no-progress"] };
}

async function main(args: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseFlags(args);
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    Deno.exit(2);
  }
  if (parsed === null) {
    console.log(USAGE);
    return;
  }
  try {
    await train(parsed.config, { progress: parsed.progress });
  } catch (error) {
    console.error(`Training failed: ${(error as Error).message}`);
    Deno.exit(1);
  }
}

if (import.meta.main) await main(Deno.args);
