import { selectBackend } from "../backend/select_backend.ts";
import { DEFAULT_MODEL, loadPhotoClassifier } from "./_classifier.ts";
import type { ScoredClass } from "./decide_digit.ts";
import { preprocessImage } from "./preprocess_image.ts";
import { type DigitReading, readNumber } from "./read_number.ts";
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
  /** The number read (digits left to right, leading zeros kept), or `null` when refused. */
  number?: string | null;
  /** Each digit of the number with its box (original pixels) and top three. */
  digits?: DigitReading[];
  /**
   * For one digit (or one refused mark, or a file that could not be read): the digit, or `null`
   * when none was found, the model is not sure, or the file was refused. Absent for numbers.
   */
  digit?: number | null;
  /** Probability of the answer: the digit's, or the product of the number's digits' (0 when refused before the model ran). */
  probability: number;
  /** For one digit: the three most likely classes (empty when the model did not run). */
  top?: ScoredClass[];
  /** Why the answer is `null`. */
  reason?: string;
}

/**
 * Reads each photo with {@linkcode readNumber} (the number in it, or its one digit through the
 * single-digit pipeline) and returns one answer per file; a file that cannot be read or decoded
 * gets `number: null`, `digit: null` and the error as its reason.
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
      number: null,
      digits: [],
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
      const reading = await readNumber(bytes, classifier, {
        maxPixels,
        minConfidence,
        single: result,
      });
      answers.push({ file, ...reading });
    } catch (error) {
      answers.push(refused(error instanceof Error ? error.message : String(error)));
    }
  }
  return answers;
}

/**
 * One line of text for an answer: `photo.jpg: 7 (p = 0.980) · top 7 0.980, 1 0.015` for one
 * digit, `photo.jpg: 42 (p = 0.950) · digits 4 0.980, 2 0.969` for a number.
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
  const answer = p.number ?? (p.digit === undefined || p.digit === null ? null : String(p.digit));
  const head = answer === null
    ? `${p.file}: no answer (${p.reason})`
    : `${p.file}: ${answer} (p = ${p.probability.toFixed(3)})`;
  const digits = p.digits ?? [];
  if (digits.length > 1) {
    return `${head} · digits ${
      digits.map((d) => `${d.digit} ${d.probability.toFixed(3)}`).join(", ")
    }`;
  }
  const top = (p.top ?? []).map((t) => `${t.digit} ${t.probability.toFixed(3)}`).join(", ");
  return top ? `${head} · top ${top}` : head;
}
