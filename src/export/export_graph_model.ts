import * as tf from "@tensorflow/tfjs";
import { dirname, join } from "node:path";
import { buildGraph, type BuiltGraph } from "./_graph_def.ts";
import { buildMetadata } from "./_metadata.ts";
import { quantizeWeights } from "./_quantize.ts";
import {
  fileIO,
  isHttpUrl,
  loadLayersModel,
  type ModelMetadata,
  type Quantization,
  SHARD_NAME,
} from "../io/mod.ts";
import { QUANTIZATIONS } from "./types.ts";

/** Options for {@linkcode exportGraphModel}. */
export interface ExportOptions {
  /** How weights are stored. @default {"uint8"} */
  quantize?: Quantization;
  /** Per-layer overrides by layer name, for example `{ conv1: "float16" }`. @default {{}} */
  perLayer?: Record<string, Quantization>;
  /**
   * Training metrics to copy into `metadata.json`. Left out, `metrics.json` of the run folder
   * holding the layers model (`RUN/model` → `RUN/metrics.json`) is read when it exists.
   */
  metrics?: Record<string, unknown> | null;
}

/** What {@linkcode exportGraphModel} wrote. */
export interface ExportResult {
  /** The folder holding `model.json`, the shard and `metadata.json`. */
  outDir: string;
  /** Bytes of `model.json`. */
  modelJsonBytes: number;
  /** Bytes of the weight shard. */
  weightBytes: number;
  /** `model.json` + shard: what a browser downloads. */
  totalBytes: number;
  /** The metadata written beside the model. */
  metadata: ModelMetadata;
  /** Quantization used for each weight, by manifest name. */
  weights: { name: string; shape: number[]; stored: string }[];
}

/**
 * Checks a quantization name (`--quantize`, `--layer NAME=…`).
 *
 * @param value The name given.
 * @param what How the error names the setting. @default {"--quantize"}
 * @returns The value, typed.
 * @throws {RangeError} For anything but `none`, `float16`, `uint16`, `uint8`.
 *
 * @example
 * ```ts
 * import { equal, throws } from "node:assert/strict";
 * import { checkQuantization } from "./export_graph_model.ts";
 *
 * equal(checkQuantization("float16"), "float16");
 * throws(() => checkQuantization("int8"), { name: "RangeError" });
 * ```
 */
export function checkQuantization(value: string, what = "--quantize"): Quantization {
  if ((QUANTIZATIONS as readonly string[]).includes(value)) return value as Quantization;
  throw new RangeError(
    `Unknown ${what} value "${value}": expected one of ${QUANTIZATIONS.join(", ")}`,
  );
}

function checkPerLayer(graph: BuiltGraph, perLayer: Record<string, Quantization>): void {
  const withWeights = [...new Set(graph.weights.map((w) => w.layer).filter((l) => l !== null))];
  for (const [layer, value] of Object.entries(perLayer)) {
    checkQuantization(value, `quantization for layer ${layer}`);
    if (!withWeights.includes(layer)) {
      throw new RangeError(
        `Cannot quantize layer "${layer}" on its own: expected one of the layers with weights (${
          withWeights.join(", ")
        })`,
      );
    }
  }
}

async function runMetrics(layersModelDir: string): Promise<Record<string, unknown> | null> {
  if (isHttpUrl(layersModelDir)) return null;
  const folder = layersModelDir.endsWith(".json") ? dirname(layersModelDir) : layersModelDir;
  try {
    return JSON.parse(await Deno.readTextFile(join(folder, "..", "metrics.json")));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

function artifactsFor(
  graph: BuiltGraph,
  quantize: Quantization,
  perLayer: Record<string, Quantization>,
  generatedBy: string | undefined,
): { artifacts: tf.io.ModelArtifacts; weights: ExportResult["weights"] } {
  const specs: tf.io.WeightsManifestEntry[] = [];
  const parts: Uint8Array[] = [];
  const weights: ExportResult["weights"] = [];
  for (const w of graph.weights) {
    const choice = w.dtype === "int32" ? "none" : perLayer[w.layer ?? ""] ?? quantize;
    const stored = w.values instanceof Int32Array
      ? { bytes: new Uint8Array(w.values.buffer.slice(0)), quantization: undefined }
      : quantizeWeights(w.values, choice);
    const spec: tf.io.WeightsManifestEntry = { name: w.name, shape: w.shape, dtype: w.dtype };
    if (stored.quantization) spec.quantization = stored.quantization;
    specs.push(spec);
    parts.push(stored.bytes);
    weights.push({ name: w.name, shape: w.shape, stored: stored.quantization?.dtype ?? w.dtype });
  }
  const tensorInfo = (node: string, shape: (number | null)[]) => ({
    name: `${node}:0`,
    dtype: "DT_FLOAT",
    tensorShape: { dim: shape.map((d) => ({ size: String(d ?? -1) })) },
  });
  const artifacts: tf.io.ModelArtifacts = {
    modelTopology: { node: graph.nodes, library: {}, versions: {} },
    format: "graph-model",
    generatedBy: generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
    convertedBy: `@digits/toolkit export (Deno, TensorFlow.js v${tf.version.tfjs})`,
    signature: {
      inputs: { [graph.input.key]: tensorInfo(graph.input.node, graph.input.shape) },
      outputs: { [graph.output.key]: tensorInfo(graph.output.node, graph.output.shape) },
    },
    weightSpecs: specs,
    weightData: tf.io.concatenateArrayBuffers(
      parts.map((p) => p.buffer.slice(p.byteOffset, p.byteOffset + p.byteLength) as ArrayBuffer),
    ),
  };
  return { artifacts, weights };
}

/**
 * Exports a tfjs layers model (as `deno task train` saves it) to the TF.js graph-model format,
 * without Python: `model.json` (`"format": "graph-model"`, a GraphDef topology with fused ops, a
 * signature, a weights manifest with the converter's quantization entries), one shard
 * `group1-shard1of1.bin` and `metadata.json`. Everything is written into a temporary folder beside
 * `outDir` and renamed into place, so a failure leaves nothing half-written.
 *
 * Errors: a missing model throws `Deno.errors.NotFound`; a file that is not a tfjs model or a
 * layer the exporter cannot translate throws `TypeError` (naming the layer and its class); an
 * unknown quantization or layer name throws `RangeError`.
 *
 * @param layersModelDir The layers model: folder, `model.json` path or http(s) URL.
 * @param outDir The folder to write (replaced if it exists).
 * @param options Quantization, per-layer overrides, training metrics.
 * @returns Sizes, metadata and how each weight was stored.
 *
 * @example
 * ```ts
 * import { equal, ok } from "node:assert/strict";
 * import { createModel } from "../model/create_model.ts";
 * import { saveLayersModel } from "../io/mod.ts";
 * import { exportGraphModel } from "./mod.ts";
 *
 * const dir = await Deno.makeTempDir();
 * await saveLayersModel(createModel({ seed: 1 }), `${dir}/model`);
 * const result = await exportGraphModel(`${dir}/model`, `${dir}/web`, { quantize: "uint8" });
 * ok(result.totalBytes < 45_000);
 * equal(result.metadata.labels.length, 10);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function exportGraphModel(
  layersModelDir: string,
  outDir: string,
  options: ExportOptions = {},
): Promise<ExportResult> {
  const quantize = checkQuantization(options.quantize ?? "uint8");
  const perLayer = options.perLayer ?? {};
  const source = await fileIO(layersModelDir).load!();
  if (source.format === "graph-model") {
    throw new TypeError(
      `Cannot export ${layersModelDir}: expected a layers model, found a graph model already`,
    );
  }
  const model = await loadLayersModel(layersModelDir);
  try {
    const graph = buildGraph(model);
    checkPerLayer(graph, perLayer);
    const { artifacts, weights } = artifactsFor(graph, quantize, perLayer, source.generatedBy);
    const training = options.metrics !== undefined
      ? options.metrics
      : await runMetrics(layersModelDir);
    const metadata = buildMetadata(
      model,
      graph,
      { default: quantize, perLayer },
      training,
      layersModelDir,
    );
    const metadataJson = JSON.stringify(metadata, null, 2) + "\n";
    const saved = await fileIO(outDir, { extraFiles: { "metadata.json": metadataJson } }).save!(
      artifacts,
    );
    const modelJsonBytes = (await Deno.stat(join(outDir, "model.json"))).size;
    const weightBytes = (await Deno.stat(join(outDir, SHARD_NAME))).size;
    if (weightBytes !== saved.modelArtifactsInfo.weightDataBytes) {
      throw new Error(
        `The shard in ${outDir} holds ${weightBytes} bytes: expected ${saved.modelArtifactsInfo.weightDataBytes}`,
      );
    }
    return {
      outDir,
      modelJsonBytes,
      weightBytes,
      totalBytes: modelJsonBytes + weightBytes,
      metadata,
      weights,
    };
  } finally {
    model.dispose();
  }
}
