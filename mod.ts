/**
 * Handwritten-digit toolkit: train the notebook's CNN, export it to the TF.js graph-model format and
 * serve predictions from photos.
 *
 * @module
 */
export * from "./src/data/types.ts";
export * from "./src/model/create_model.ts";
