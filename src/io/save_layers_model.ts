import type * as tf from "@tensorflow/tfjs";
import { fileIO } from "./file_io.ts";

/**
 * Saves a tfjs layers model into a folder (`model.json` + `group1-shard1of1.bin`), atomically: a
 * reader never sees a half-written model, and an existing model in that folder is replaced.
 *
 * @param model The model to save.
 * @param dir The folder to write.
 * @returns tfjs' summary of what was written.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { ok } from "node:assert/strict";
 * import { saveLayersModel } from "./save_layers_model.ts";
 *
 * const dir = await Deno.makeTempDir();
 * const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
 * const result = await saveLayersModel(model, `${dir}/model`);
 * ok(result.modelArtifactsInfo.weightDataBytes === 32);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function saveLayersModel(
  model: tf.LayersModel,
  dir: string,
): Promise<tf.io.SaveResult> {
  return await model.save(fileIO(dir));
}
