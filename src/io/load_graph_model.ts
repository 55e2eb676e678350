import * as tf from "@tensorflow/tfjs";
import { fileIO } from "./file_io.ts";

/**
 * Loads a tfjs graph model (as `deno task export` writes it) from a folder, a `model.json` path or
 * an http(s) URL, in Deno.
 *
 * @param pathOrUrl Where the model is.
 * @returns The model, ready to `predict` or `execute`.
 *
 * @example
 * ```ts ignore
 * import { loadGraphModel } from "./load_graph_model.ts";
 * const model = await loadGraphModel("models/default");
 * console.log(model.inputs[0].shape); // [-1, 28, 28, 1]
 * ```
 */
export async function loadGraphModel(pathOrUrl: string): Promise<tf.GraphModel> {
  return await tf.loadGraphModel(fileIO(pathOrUrl));
}
