import * as tf from "@tensorflow/tfjs";
import { IMAGE_PIXELS, IMAGE_SIZE, NUM_CLASSES } from "../data/types.ts";
import { ensureModelExists, fileIO, locateModel, type ModelMetadata } from "../io/mod.ts";

/** Folder of the default model of a fresh clone (committed by the project). */
export const DEFAULT_MODEL = "models/default";

/**
 * The one interface of a digit model that every stage uses (export compares two, the photo
 * pipeline and the service predict with one): `n × 784` pixels in, `n × 10` probabilities out.
 */
export interface Classifier {
  /**
   * Probabilities for `n` images. `batch` holds `n × 784` floats in 0-1 (pixel / 255, light
   * digit on black), row-major 28×28 per image; the result holds `n × 10` softmax values.
   */
  predict(batch: Float32Array, n: number): Promise<Float32Array>;
}

/** A classifier loaded from a model file by {@linkcode loadClassifier}: it holds tfjs weights. */
export interface LoadedClassifier extends Classifier {
  /** `graph` for an exported graph model, `layers` for a tfjs layers model. */
  kind: "graph" | "layers";
  /** The `metadata.json` beside `model.json`, when there is one. */
  metadata?: ModelMetadata;
  /** Releases the model's weights. */
  dispose(): void;
}

/** Options of {@linkcode loadClassifier}. */
export interface LoadClassifierOptions {
  /**
   * Appended to the `NotFound` message when a local model is missing, to say what to do
   * (`"Pass --model DIR"`). @default {""}
   */
  missingHint?: string;
}

function isGraph(artifacts: tf.io.ModelArtifacts): boolean {
  const topology = artifacts.modelTopology as { node?: unknown } | undefined;
  return artifacts.format === "graph-model" || Array.isArray(topology?.node);
}

async function readMetadata(pathOrUrl: string): Promise<ModelMetadata | undefined> {
  const location = await locateModel(pathOrUrl);
  let bytes: Uint8Array;
  try {
    bytes = await location.read("metadata.json");
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as ModelMetadata;
  } catch (error) {
    throw new SyntaxError(
      `Cannot parse ${location.resolve("metadata.json")}: ${(error as Error).message}`,
    );
  }
}

function checkBatch(batch: Float32Array, n: number): void {
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`Cannot predict a batch of ${n} images: expected a positive integer`);
  }
  if (batch.length !== n * IMAGE_PIXELS) {
    throw new RangeError(
      `Cannot predict ${n} images: expected ${
        n * IMAGE_PIXELS
      } values (${n} × 784), found ${batch.length}`,
    );
  }
}

function wrap(
  model: tf.GraphModel | tf.LayersModel,
  kind: "graph" | "layers",
  metadata: ModelMetadata | undefined,
): LoadedClassifier {
  return {
    kind,
    metadata,
    async predict(batch: Float32Array, n: number): Promise<Float32Array> {
      checkBatch(batch, n);
      const out = tf.tidy(() => {
        const x = tf.tensor4d(batch, [n, IMAGE_SIZE, IMAGE_SIZE, 1]); // [n, 28, 28, 1]
        return model.predict(x) as tf.Tensor; // [n, 10]
      });
      try {
        if (out.size !== n * NUM_CLASSES) {
          throw new RangeError(
            `The model returned shape [${out.shape}]: expected [${n}, ${NUM_CLASSES}]`,
          );
        }
        return await out.data<"float32">();
      } finally {
        out.dispose();
      }
    },
    dispose: () => model.dispose(),
  };
}

/**
 * Loads a digit classifier from a graph model (`deno task export`) or a layers model
 * (`deno task train`), given as a folder, a `model.json` path or an http(s) URL. The format is read
 * from `model.json`; `metadata.json` beside it is attached when present. Predictions run on the
 * current tfjs backend.
 *
 * @param pathOrUrl The model folder or `model.json`, local or http(s).
 * @param options What to tell the user when a local model is missing.
 * @returns A classifier; call `dispose()` when done.
 * @throws {Deno.errors.NotFound} "No model at X: expected X/model.json. missingHint"
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { createModel } from "./create_model.ts";
 * import { saveLayersModel } from "../io/mod.ts";
 * import { loadClassifier } from "./classifier.ts";
 *
 * const dir = await Deno.makeTempDir();
 * await saveLayersModel(createModel({ seed: 1 }), dir);
 * const classifier = await loadClassifier(dir);
 * equal(classifier.kind, "layers");
 * const probabilities = await classifier.predict(new Float32Array(2 * 784), 2);
 * equal(probabilities.length, 20);
 * classifier.dispose();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function loadClassifier(
  pathOrUrl: string,
  options: LoadClassifierOptions = {},
): Promise<LoadedClassifier> {
  await ensureModelExists(pathOrUrl, options.missingHint);
  const artifacts = await fileIO(pathOrUrl).load!();
  const metadata = await readMetadata(pathOrUrl);
  const memory: tf.io.IOHandler = { load: () => Promise.resolve(artifacts) };
  if (isGraph(artifacts)) return wrap(await tf.loadGraphModel(memory), "graph", metadata);
  return wrap(await tf.loadLayersModel(memory), "layers", metadata);
}
