/**
 * The export stage: the layers-to-graph-model exporter with quantization, and the check that
 * compares the export with the model it came from. Reading and writing model files is `src/io`.
 *
 * @module
 */
export * from "./types.ts";
export * from "./export_graph_model.ts";
export * from "./compare_classifiers.ts";
export * from "./run_export.ts";
