/**
 * Handwritten-digit toolkit: train the notebook's CNN, export it to the TF.js graph-model format and
 * serve predictions from photos. Each stage's public face is re-exported here.
 *
 * @module
 */
export * from "./src/io/mod.ts";
export * from "./src/data/mod.ts";
export * from "./src/model/mod.ts";
export * from "./src/backend/mod.ts";
export * from "./src/kernels/mod.ts";
export * from "./src/train/mod.ts";
export * from "./src/report/mod.ts";
export * from "./src/export/mod.ts";
export * from "./src/preprocess/mod.ts";
export * from "./src/serve/mod.ts";
