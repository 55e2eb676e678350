/**
 * The export stage: a Deno IOHandler for tfjs models on disk or over http(s) (`fileIO`), and
 * the layers-to-graph-model exporter with quantization.
 *
 * @module
 */
export * from "./file_io.ts";
export * from "./save_layers_model.ts";
export * from "./load_layers_model.ts";
export * from "./load_graph_model.ts";
export * from "./types.ts";
export * from "./export_graph_model.ts";
export * from "./compare_classifiers.ts";
export * from "./run_export.ts";
