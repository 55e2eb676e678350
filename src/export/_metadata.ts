import * as tf from "@tensorflow/tfjs";
import type { BuiltGraph } from "./_graph_def.ts";
import type { ModelMetadata, Quantization } from "../io/types.ts";

/** What the photo pipeline must do to a picture before the model sees it (MNIST's recipe). */
export const PREPROCESSING: readonly string[] = [
  "Convert to grayscale (0-255)",
  "Invert if needed so the ink is bright (255) on a black (0) background",
  "Crop to the digit's bounding box and scale it, keeping its aspect ratio, to fit a 20×20 box",
  "Paste it into a black 28×28 image so that its centre of mass is at the centre (14, 14)",
  "Divide by 255: float32 values in 0-1, row-major, shape [1, 28, 28, 1] (NHWC)",
];

/** The `metadata.json` that goes beside an exported model. */
export function buildMetadata(
  model: tf.LayersModel,
  graph: BuiltGraph,
  quantization: { default: Quantization; perLayer: Record<string, Quantization> },
  training: Record<string, unknown> | null,
  source: string,
): ModelMetadata {
  const one = (shape: (number | null)[]) => shape.map((d) => d ?? 1);
  const classes = graph.output.shape.at(-1) ?? 10;
  return {
    name: model.name,
    format: "graph-model",
    input: { name: graph.input.key, shape: one(graph.input.shape), dtype: "float32" },
    output: {
      name: graph.output.key,
      shape: one(graph.output.shape),
      dtype: "float32",
      activation: "softmax",
    },
    normalization: {
      scale: 1 / 255,
      offset: 0,
      ink: "light-on-dark",
      description: "value = pixel / 255; ink bright (1) on a black (0) background, as in MNIST",
    },
    preprocessing: [...PREPROCESSING],
    labels: Array.from({ length: classes }, (_, i) => String(i)),
    quantization,
    training,
    tfjsVersion: tf.version.tfjs,
    source,
    createdAt: new Date().toISOString(),
  };
}
