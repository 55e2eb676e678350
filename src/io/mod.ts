/**
 * The model-file layer, below every stage that reads or writes models: find a model (folder,
 * `model.json`, `file:` or http(s) URL) and check that it exists, load and save tfjs layers and
 * graph models in Deno (`fileIO`, which tfjs lacks there), and write files and folders
 * atomically. It imports nothing from the other stages.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { equal } from "node:assert/strict";
 * import { loadLayersModel, saveLayersModel } from "./mod.ts";
 *
 * const dir = await Deno.makeTempDir();
 * const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
 * await saveLayersModel(model, `${dir}/model`);
 * equal((await loadLayersModel(`${dir}/model`)).countParams(), 8);
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @module
 */
export * from "./types.ts";
export * from "./atomic_write.ts";
export * from "./exists.ts";
export * from "./locate_model.ts";
export * from "./file_io.ts";
export * from "./save_layers_model.ts";
export * from "./load_layers_model.ts";
export * from "./load_graph_model.ts";
