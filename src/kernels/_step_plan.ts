/**
 * Reads a layers model as the fused training step sees it: a chain of convolutions, max pooling,
 * flatten, dense and dropout layers ending in a dense softmax, channels last, with no
 * regularizer or constraint. Anything else is refused with the reason, and the model then trains
 * through tfjs as before.
 */
import type * as tf from "@tensorflow/tfjs";
import { simdable } from "./_pool.ts";

/** A trainable weight: the tfjs variable behind a layer's `LayerVariable`. */
type Weight = { read(): tf.Variable };

/** One layer of the chain, per image (shapes without the batch axis). */
export type LayerSpec =
  | {
    kind: "conv";
    kernel: Weight;
    bias: Weight | null;
    relu: boolean;
    strides: [number, number];
    dilations: [number, number];
    pad: "valid" | "same";
  }
  | { kind: "pool"; size: [number, number]; strides: [number, number]; pad: "valid" | "same" }
  | { kind: "flatten" }
  | {
    kind: "dense";
    kernel: Weight;
    bias: Weight | null;
    activation: "relu" | "linear" | "softmax";
  }
  | { kind: "dropout"; rate: number; seed: number | undefined };

/** The fields of tfjs-layers' layer classes that the plan reads (public in JavaScript). */
interface LayerFields {
  getClassName(): string;
  kernel?: Weight;
  bias?: Weight | null;
  useBias?: boolean;
  activation?: { getClassName(): string };
  strides?: number[];
  dilationRate?: number[];
  padding?: string;
  dataFormat?: string;
  poolSize?: number[];
  rate?: number;
  seed?: number;
  noiseShape?: number[] | null;
  rank?: number;
  [field: string]: unknown;
}

const GUARDS = [
  "kernelRegularizer",
  "biasRegularizer",
  "activityRegularizer",
  "kernelConstraint",
  "biasConstraint",
];

function pair(v: number[] | undefined, name: string): [number, number] {
  if (v === undefined || v.length !== 2) throw new RangeError(`Expected two ${name}, found ${v}`);
  return [v[0], v[1]];
}

function padding(layer: LayerFields): "valid" | "same" {
  if (layer.padding !== "valid" && layer.padding !== "same") {
    throw new RangeError(`Padding "${layer.padding}" is not fused`);
  }
  return layer.padding;
}

function specOf(layer: LayerFields, last: boolean): LayerSpec {
  const name = layer.getClassName();
  if (GUARDS.some((g) => layer[g] != null)) {
    throw new RangeError(`Layer ${name} has a regularizer or a constraint`);
  }
  if (layer.dataFormat !== undefined && layer.dataFormat !== "channelsLast") {
    throw new RangeError(`Layer ${name} is ${layer.dataFormat}`);
  }
  const activation = layer.activation?.getClassName() ?? "linear";
  const weights = () => ({
    kernel: layer.kernel!,
    bias: layer.useBias === false || layer.bias == null ? null : layer.bias,
  });
  switch (name) {
    case "Conv2D":
      if (activation !== "relu" && activation !== "linear") break;
      return {
        kind: "conv",
        ...weights(),
        relu: activation === "relu",
        strides: pair(layer.strides, "strides"),
        dilations: pair(layer.dilationRate, "dilations"),
        pad: padding(layer),
      };
    case "MaxPooling2D":
      return {
        kind: "pool",
        size: pair(layer.poolSize, "pool sizes"),
        strides: pair(layer.strides, "strides"),
        pad: padding(layer),
      };
    case "Flatten":
      return { kind: "flatten" };
    case "Dense": {
      const ok = last ? activation === "softmax" : activation === "relu" || activation === "linear";
      if (!ok) break;
      return { kind: "dense", ...weights(), activation: activation as "relu" | "linear" };
    }
    case "Dropout":
      if (layer.noiseShape != null) break;
      return { kind: "dropout", rate: layer.rate ?? 0, seed: layer.seed };
  }
  throw new RangeError(
    `Layer ${name} (activation ${activation}${last ? ", last" : ""}) is not fused`,
  );
}

/** What the fused step needs of a model. */
export interface StepPlan {
  /** The input image's shape [H, W, C]. */
  input: [number, number, number];
  layers: LayerSpec[];
  /** The trainable weights in the order the layers' optimizer updates them. */
  weights: Weight[];
  /**
   * The compiled loss: class labels (`sparse`, sparseCategoricalCrossentropy) or a target
   * distribution per image (`categorical`, categoricalCrossentropy).
   */
  loss: "sparse" | "categorical";
}

/**
 * The plan of a compiled model, or the reason it cannot be fused (a message for the log).
 */
export function planOf(model: tf.LayersModel): StepPlan | string {
  const compiled = model as unknown as {
    loss?: unknown;
    metrics?: unknown;
    trainableWeights: Weight[];
    inputs: tf.SymbolicTensor[];
  };
  const loss = compiled.loss === "sparseCategoricalCrossentropy"
    ? "sparse"
    : compiled.loss === "categoricalCrossentropy"
    ? "categorical"
    : null;
  if (loss === null) {
    return `the loss is not sparseCategoricalCrossentropy or categoricalCrossentropy`;
  }
  const metrics = compiled.metrics;
  if (
    !Array.isArray(metrics) || metrics.length !== 1 || !["accuracy", "acc"].includes(metrics[0])
  ) {
    return 'the metrics are not ["accuracy"]';
  }
  const shape = compiled.inputs.length === 1 ? compiled.inputs[0].shape : [];
  if (shape.length !== 4 || shape.slice(1).some((d) => d === null)) {
    return `the input is not one batch of images: ${JSON.stringify(shape)}`;
  }
  const layers = model.layers as unknown as LayerFields[];
  let specs: LayerSpec[];
  try {
    specs = layers.map((layer, i) => specOf(layer, i === layers.length - 1));
  } catch (e) {
    return (e as Error).message;
  }
  const weights = specs.flatMap((s) =>
    s.kind === "conv" || s.kind === "dense" ? [s.kernel, ...(s.bias === null ? [] : [s.bias])] : []
  );
  const trainable = compiled.trainableWeights;
  if (
    trainable.length !== weights.length ||
    trainable.some((w, i) => w.read() !== weights[i].read())
  ) {
    return "the trainable weights are not the layers' kernels and biases in order";
  }
  return { input: shape.slice(1) as [number, number, number], layers: specs, weights, loss };
}

/** Whether max pooling of `channels` runs in the wasm kernels (whole SIMD lanes). */
export function poolable(channels: number): boolean {
  return simdable({ inChannels: channels } as tf.backend_util.Conv2DInfo);
}
