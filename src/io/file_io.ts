import * as tf from "@tensorflow/tfjs";
import { writeFolderAtomically } from "./atomic_write.ts";
import { isHttpUrl, locateModel } from "./locate_model.ts";

/** Name of the single weight shard this project writes (the converter's naming). */
export const SHARD_NAME = "group1-shard1of1.bin";

/** Options for {@linkcode fileIO}. */
export interface FileIOOptions {
  /**
   * Extra files written into the model folder with `model.json` on save, in the same atomic step
   * (for example `metadata.json`).
   * @default {{}}
   */
  extraFiles?: Record<string, Uint8Array | string>;
}

const encoder = new TextEncoder();

function notAModel(where: string, found: string): TypeError {
  return new TypeError(
    `Cannot load ${where}: expected a tfjs model.json (an object with modelTopology and ` +
      `weightsManifest), found ${found}`,
  );
}

/** Parses and checks a `model.json`; throws a `TypeError` naming the file when it is not one. */
function parseModelJson(bytes: Uint8Array, where: string): tf.io.ModelJSON {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (error) {
    throw notAModel(where, `text that is not JSON (${(error as Error).message.split("\n")[0]})`);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw notAModel(where, Array.isArray(json) ? "an array" : String(json));
  }
  const record = json as Record<string, unknown>;
  const keys = Object.keys(record).slice(0, 6).join(", ") || "no keys";
  if (typeof record.modelTopology !== "object" || record.modelTopology === null) {
    throw notAModel(where, `an object with the keys ${keys}`);
  }
  const manifest = record.weightsManifest;
  if (
    !Array.isArray(manifest) ||
    !manifest.every((g) => Array.isArray(g?.paths) && Array.isArray(g?.weights))
  ) {
    throw notAModel(where, "no valid weightsManifest (groups of paths and weights)");
  }
  return json as tf.io.ModelJSON;
}

async function loadArtifacts(pathOrUrl: string): Promise<tf.io.ModelArtifacts> {
  const location = await locateModel(pathOrUrl);
  const json = parseModelJson(await location.read(""), location.modelJson);
  return await tf.io.getModelArtifactsForJSON(json, async (manifest) => {
    const specs: tf.io.WeightsManifestEntry[] = [];
    const buffers: ArrayBuffer[] = [];
    for (const group of manifest) {
      specs.push(...group.weights);
      for (const path of group.paths) {
        const bytes = await location.read(path);
        buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
      }
    }
    const data = tf.io.CompositeArrayBuffer.join(buffers);
    checkWeightBytes(specs, data.byteLength, location.modelJson);
    return [specs, data];
  });
}

const BYTES: Record<string, number> = {
  float32: 4,
  int32: 4,
  bool: 1,
  uint8: 1,
  uint16: 2,
  float16: 2,
};

/** The shard bytes must cover every weight the manifest lists (tfjs fails obscurely otherwise). */
function checkWeightBytes(specs: tf.io.WeightsManifestEntry[], found: number, where: string) {
  let expected = 0;
  for (const spec of specs) {
    const dtype = spec.quantization?.dtype ?? spec.dtype;
    const size = spec.shape.reduce((a, b) => a * b, 1);
    expected += (BYTES[dtype] ?? 4) * size;
  }
  if (found !== expected) {
    throw new RangeError(
      `Cannot load the weights of ${where}: the manifest lists ${expected} bytes, the shards hold ${found}`,
    );
  }
}

/** The `model.json` object for some artifacts whose weights sit in one shard. */
function modelJsonFor(artifacts: tf.io.ModelArtifacts): tf.io.ModelJSON {
  if (artifacts.modelTopology instanceof ArrayBuffer) {
    throw new TypeError("Cannot save a binary GraphDef topology: expected a JSON modelTopology");
  }
  const json: tf.io.ModelJSON = {
    modelTopology: artifacts.modelTopology ?? {},
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy ?? null,
    weightsManifest: [{ paths: [SHARD_NAME], weights: artifacts.weightSpecs ?? [] }],
  };
  if (artifacts.trainingConfig != null) json.trainingConfig = artifacts.trainingConfig;
  if (artifacts.signature != null) json.signature = artifacts.signature;
  if (artifacts.userDefinedMetadata != null) {
    json.userDefinedMetadata = artifacts.userDefinedMetadata;
  }
  if (artifacts.modelInitializer != null) json.modelInitializer = artifacts.modelInitializer;
  return json;
}

async function saveArtifacts(
  dir: string,
  artifacts: tf.io.ModelArtifacts,
  options: FileIOOptions,
): Promise<tf.io.SaveResult> {
  if (isHttpUrl(dir)) throw new TypeError(`Cannot save to ${dir}: expected a local folder`);
  const json = modelJsonFor(artifacts);
  const weights = artifacts.weightData == null
    ? new ArrayBuffer(0)
    : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
  const files: Record<string, Uint8Array> = {
    "model.json": encoder.encode(JSON.stringify(json)),
    [SHARD_NAME]: new Uint8Array(weights),
  };
  for (const [name, content] of Object.entries(options.extraFiles ?? {})) {
    files[name] = typeof content === "string" ? encoder.encode(content) : content;
  }
  await writeFolderAtomically(dir, files);
  return {
    modelArtifactsInfo: {
      dateSaved: new Date(),
      modelTopologyType: "JSON",
      modelTopologyBytes: encoder.encode(JSON.stringify(json.modelTopology)).length,
      weightSpecsBytes: encoder.encode(JSON.stringify(artifacts.weightSpecs ?? [])).length,
      weightDataBytes: weights.byteLength,
    },
  };
}

/**
 * A tfjs `IOHandler` for Deno (whose tfjs has no `file://` handler): `load()` reads a layers or
 * graph model from a folder, a `model.json` path, a `file:` URL or an http(s) URL; `save()` writes
 * `model.json` and one shard `group1-shard1of1.bin` into a folder, atomically (a temporary folder
 * beside it, then a rename). Use it with `tf.loadLayersModel`, `tf.loadGraphModel` and
 * `model.save`.
 *
 * Errors: a missing path throws `Deno.errors.NotFound`; a file that is not a tfjs `model.json`
 * throws `TypeError`; shards shorter or longer than the manifest says throw `RangeError`.
 *
 * @param pathOrUrl The model folder or `model.json` (load), or the folder to write (save).
 * @param options Extra files to write beside `model.json` on save.
 * @returns An IOHandler with both `load` and `save`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { equal } from "node:assert/strict";
 * import { fileIO } from "./file_io.ts";
 *
 * const dir = await Deno.makeTempDir();
 * const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
 * await model.save(fileIO(dir));
 * const again = await tf.loadLayersModel(fileIO(`${dir}/model.json`));
 * equal(again.countParams(), 8);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function fileIO(pathOrUrl: string, options: FileIOOptions = {}): tf.io.IOHandler {
  return {
    load: () => loadArtifacts(pathOrUrl),
    save: (artifacts) => saveArtifacts(pathOrUrl, artifacts, options),
  };
}
