import { DEFAULT_MODEL, loadClassifier, type LoadedClassifier } from "../model/classifier.ts";

export { DEFAULT_MODEL };

/** What `deno task predict` says when the model is missing. */
export const MISSING_MODEL_HINT = "Pass --model DIR, or run deno task train then deno task export";

/**
 * Loads a model folder or `model.json` (graph or layers model) through `src/model`; a missing
 * model is one clear line that says which flag to pass.
 */
export function loadPhotoClassifier(pathOrDir: string): Promise<LoadedClassifier> {
  return loadClassifier(pathOrDir, { missingHint: MISSING_MODEL_HINT });
}
