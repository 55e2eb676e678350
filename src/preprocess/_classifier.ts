import { loadClassifier } from "../model/classifier.ts";

/** A loaded digit model: `n × 784` floats in, `n × 10` probabilities out. */
export interface PhotoClassifier {
  /** Probabilities for `n` images of 784 floats each. */
  predict(batch: Float32Array, n: number): Promise<Float32Array>;
}

/** Default model folder of a fresh clone (committed by the project). */
export const DEFAULT_MODEL = "models/default";

/**
 * Loads a model folder or `model.json` (graph or layers model) through `src/model`, after
 * checking that it exists so that a fresh clone without a model gets one clear line.
 */
export async function loadPhotoClassifier(pathOrDir: string): Promise<PhotoClassifier> {
  const file = pathOrDir.endsWith(".json")
    ? pathOrDir
    : `${pathOrDir.replace(/\/$/, "")}/model.json`;
  try {
    await Deno.stat(file);
  } catch {
    throw new Deno.errors.NotFound(
      `No model at ${pathOrDir}: expected ${file}. Pass --model DIR, or run deno task train then deno task export`,
    );
  }
  return await loadClassifier(pathOrDir);
}
