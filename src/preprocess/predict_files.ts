import { selectBackend } from "../backend/select_backend.ts";
import { DEFAULT_MODEL, loadPhotoClassifier } from "./_classifier.ts";
import { decideDigit, type ScoredClass } from "./decide_digit.ts";
import { preprocessImage } from "./preprocess_image.ts";
import { writeDebugSteps } from "./write_debug_steps.ts";

/** Options for {@linkcode predictFiles}. */
export interface PredictFilesOptions {
  /** Model folder or `model.json`. @default {"models/default"} */
  model?: string;
  /** Below this top probability the answer is "not sure" (`digit: null`). @default {0.5} */
  minConfidence?: number;
  /** Folder for a PNG of each pipeline step, per file. */
  debugDir?: string;
  /** Largest image accepted, in pixels. @default {40000000} */
  maxPixels?: number;
  /** tfjs backend for the model (`wasm` infers fastest; `cpu` is the fallback). @default {"wasm"} */
  backend?: string;
}

/** The answer for one file, as `--json` prints it. */
export interface FilePrediction {
  /** The path given. */
  file: string;
  /** The digit, or `null` when none was found, the model is not sure, or the file was refused. */
  digit: number | null;
  /** Probability of the most likely class (0 when the model did not run). */
  probability: number;
  /** The three most likely classes (empty when the model did not run). */
  top: ScoredClass[];
  /** Why `digit` is `null`. */
  reason?: string;
}

/**
 * Reads each photo, runs the photo pipeline and the model, and returns one answer per file; a
 * file that cannot be read or decoded gets `digit: null` and the error as its reason.
 *
 * @example
 * ```ts ignore
 * import { predictFiles } from "./predict_files.ts";
 * const [answer] = await predictFiles(["photo.jpg"], { model: "models/default" });
 * console.log(answer.digit, answer.probability);
 * ```
 */
export async function predictFiles(
  files: string[],
  options: PredictFilesOptions = {},
): Promise<FilePrediction[]> {
  const { model = DEFAULT_MODEL, minConfidence = 0.5, debugDir, maxPixels } = options;
  await selectBackend(options.backend ?? "wasm");
  const classifier = await loadPhotoClassifier(model);
  const answers: FilePrediction[] = [];
  for (const file of files) {
    const refused = (reason: string): FilePrediction => ({
      file,
      digit: null,
      probability: 0,
      top: [],
      reason,
    });
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(file);
    } catch (error) {
      answers.push(refused(`Cannot read ${file}: ${(error as Error).message}`));
      continue;
    }
    try {
      const result = await preprocessImage(bytes, { maxPixels, debug: debugDir !== undefined });
      if (debugDir !== undefined && result.steps) {
        const name = file.slice(file.lastIndexOf("/") + 1).replace(/[^A-Za-z0-9._-]+/g, "_");
        await writeDebugSteps(result.steps, debugDir, name);
      }
      if (result.input === null) {
        answers.push(refused(result.reason ?? "no digit found"));
        continue;
      }
      const probabilities = await classifier.predict(result.input, 1);
      const decision = decideDigit(probabilities, result.stats, { minConfidence });
      answers.push({ file, ...decision });
    } catch (error) {
      answers.push(refused(error instanceof Error ? error.message : String(error)));
    }
  }
  return answers;
}

/**
 * One line of text for an answer: `photo.jpg: 7 (0.98) · top 7 0.98, 1 0.01, 9 0.00`.
 *
 * @example
 * ```ts
 * import { formatPrediction } from "./predict_files.ts";
 * import { equal } from "node:assert/strict";
 * const top = [{ digit: 7, probability: 0.98 }, { digit: 1, probability: 0.015 }];
 * equal(
 *   formatPrediction({ file: "a.png", digit: 7, probability: 0.98, top }),
 *   "a.png: 7 (p = 0.980) · top 7 0.980, 1 0.015",
 * );
 * ```
 */
export function formatPrediction(p: FilePrediction): string {
  const top = p.top.map((t) => `${t.digit} ${t.probability.toFixed(3)}`).join(", ");
  const head = p.digit === null
    ? `${p.file}: no answer (${p.reason})`
    : `${p.file}: ${p.digit} (p = ${p.probability.toFixed(3)})`;
  return top ? `${head} · top ${top}` : head;
}
