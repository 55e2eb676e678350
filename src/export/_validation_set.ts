import { dirname, join } from "node:path";
import { limitDigits, loadDigits, splitDigits } from "../data/mod.ts";
import type { DigitSet } from "../data/types.ts";

/** The digits an export is checked on, and where they came from. */
export interface ValidationDigits {
  digits: DigitSet;
  /** For the report: `validation set of runs/x (8,400 digits from data/kaggle/train.csv.gz)`. */
  description: string;
}

interface RunConfig {
  data?: string | null;
  limit?: number | null;
  validationSplit?: number;
  seed?: number;
}

async function readRunConfig(
  modelDir: string,
): Promise<{ path: string; config: RunConfig } | null> {
  const folder = modelDir.endsWith(".json") ? dirname(modelDir) : modelDir;
  const path = join(folder, "..", "config.json");
  try {
    return { path, config: JSON.parse(await Deno.readTextFile(path)) };
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

/** The embedded digits' 20 % hold-out (seed 1212): 2,000 real MNIST digits, always available. */
async function embeddedValidation(why: string): Promise<ValidationDigits> {
  const { validation } = splitDigits(await loadDigits(), { validationSplit: 0.2, seed: 1212 });
  return {
    digits: validation,
    description: `${
      validation.count.toLocaleString("en-US")
    } embedded MNIST digits (20 % hold-out, seed 1212; ${why})`,
  };
}

/**
 * The run's own validation set, rebuilt from `config.json` beside the model folder (the same data,
 * limit, split and seed as training), or the embedded hold-out when the run has none or its data
 * is not on this machine.
 */
export async function validationDigits(modelDir: string): Promise<ValidationDigits> {
  if (/^https?:/i.test(modelDir)) return await embeddedValidation("the model came over http");
  const run = await readRunConfig(modelDir);
  if (run === null) return await embeddedValidation("no config.json beside the model");
  const { data, limit, validationSplit = 0.2, seed = 1212 } = run.config;
  let all: DigitSet;
  try {
    all = await loadDigits(data ?? undefined);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    return await embeddedValidation(`the run's data ${data} is not here`);
  }
  if (limit != null) all = limitDigits(all, limit);
  const { validation } = splitDigits(all, { validationSplit, seed });
  if (validation.count === 0) return await embeddedValidation("the run had no validation split");
  return {
    digits: validation,
    description:
      `the run's validation set: ${
        validation.count.toLocaleString("en-US")
      } digits of ${all.source} ` +
      `(split ${validationSplit}, seed ${seed}, from ${run.path})`,
  };
}
