import * as tf from "@tensorflow/tfjs";
import { fileIO } from "./file_io.ts";

/**
 * Loads a tfjs layers model from a folder, a `model.json` path or an http(s) URL, in Deno.
 *
 * @param pathOrUrl Where the model is.
 * @returns The model, ready to predict.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { equal } from "node:assert/strict";
 * import { loadLayersModel, saveLayersModel } from "./mod.ts";
 *
 * const dir = await Deno.makeTempDir();
 * const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
 * await saveLayersModel(model, dir);
 * equal((await loadLayersModel(dir)).countParams(), 8);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function loadLayersModel(pathOrUrl: string): Promise<tf.LayersModel> {
  return await tf.loadLayersModel(fileIO(pathOrUrl));
}
