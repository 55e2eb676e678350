/**
 * The model stage: the notebook's CNN, and any saved model (graph or layers, path or URL) as a
 * classifier of 28×28 digits.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { createModel } from "./mod.ts";
 * const model = createModel();
 * equal(model.layers.length, 8);
 * model.dispose();
 * ```
 *
 * @module
 */
export * from "./create_model.ts";
export * from "./classifier.ts";
