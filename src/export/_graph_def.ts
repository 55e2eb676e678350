import type * as tf from "@tensorflow/tfjs";
import {
  bool,
  constNode,
  float,
  type GraphNode,
  int,
  intList,
  str,
  strList,
  tensorShape,
  type,
} from "./_attrs.ts";

/** A weight of the graph: a `Const` node's value, to be stored in the shard. */
export interface GraphWeight {
  /** The `Const` node's name, which is also the manifest entry's name. */
  name: string;
  /** The layer it came from (for per-layer quantization), `null` for shape constants. */
  layer: string | null;
  dtype: "float32" | "int32";
  shape: number[];
  values: Float32Array | Int32Array;
}

/** A layers model as a GraphDef: nodes, weights, and the ends the signature names. */
export interface BuiltGraph {
  nodes: GraphNode[];
  weights: GraphWeight[];
  input: { key: string; node: string; shape: (number | null)[] };
  output: { key: string; node: string; shape: (number | null)[] };
}

/** The layer classes the exporter turns into graph nodes. */
export const SUPPORTED_LAYERS = [
  "Conv2D",
  "MaxPooling2D",
  "AveragePooling2D",
  "Flatten",
  "Dense",
  "Dropout",
  "Activation",
] as const;

/** Activations folded into `_FusedConv2D` / `_FusedMatMul` (names as TensorFlow spells them). */
const FUSED: Record<string, string> = {
  relu: "Relu",
  relu6: "Relu6",
  elu: "Elu",
  sigmoid: "Sigmoid",
};
/** Activations that need a node of their own. */
const STANDALONE: Record<string, string> = { ...FUSED, softmax: "Softmax", tanh: "Tanh" };

const T = type("float32");

function unsupported(layer: tf.layers.Layer, why: string): TypeError {
  return new TypeError(
    `Cannot export layer "${layer.name}" (${layer.getClassName()}): ${why}`,
  );
}

function pair(value: unknown): [number, number] {
  if (Array.isArray(value)) return [Number(value[0]), Number(value[1] ?? value[0])];
  return [Number(value), Number(value)];
}

function padding(layer: tf.layers.Layer, value: unknown): string {
  if (value === "valid" || value === "same") return value.toUpperCase();
  throw unsupported(layer, `padding "${value}" is not supported: expected valid or same`);
}

function channelsLast(layer: tf.layers.Layer, config: tf.serialization.ConfigDict): void {
  const format = config.dataFormat ?? "channelsLast";
  if (format !== "channelsLast") {
    throw unsupported(layer, `data format ${format} is not supported: expected channelsLast`);
  }
}

/** Builds the graph one layer at a time; `current` is the tensor flowing between layers. */
class GraphBuilder {
  nodes: GraphNode[] = [];
  weights: GraphWeight[] = [];
  current: string;

  constructor(readonly prefix: string, input: string) {
    this.current = input;
  }

  weight(
    layer: string | null,
    name: string,
    tensor: tf.Tensor | { shape: number[]; values: Float32Array | Int32Array },
  ): string {
    const full = `${this.prefix}/${name}`;
    // A copy: a backend may hand out a view of memory it reuses once the model is disposed.
    const values = "values" in tensor ? tensor.values : new Float32Array(tensor.dataSync());
    const dtype = values instanceof Int32Array ? "int32" : "float32";
    this.weights.push({ name: full, layer, dtype, shape: [...tensor.shape], values });
    this.nodes.push(constNode(full, dtype, [...tensor.shape]));
    return full;
  }

  op(name: string, op: string, inputs: string[], attr: Record<string, unknown>): void {
    const full = `${this.prefix}/${name}`;
    this.nodes.push({ name: full, op, input: [this.current, ...inputs], attr });
    this.current = full;
  }

  /** How to run an activation: fused into the op when tfjs can, else as a node of its own after it. */
  activation(
    layer: tf.layers.Layer,
    activation: string,
  ): { fused: string[]; after: string | null } {
    if (activation === "linear") return { fused: ["BiasAdd"], after: null };
    if (FUSED[activation]) return { fused: ["BiasAdd", FUSED[activation]], after: null };
    if (STANDALONE[activation]) return { fused: ["BiasAdd"], after: STANDALONE[activation] };
    throw unsupported(layer, `activation "${activation}" is not supported`);
  }

  biasOf(layer: tf.layers.Layer, weights: tf.Tensor[], units: number): string {
    if (weights.length > 1) return this.weight(layer.name, `${layer.name}/bias`, weights[1]);
    // No bias: a zero bias keeps the fused op's argument layout, and is exact.
    return this.weight(layer.name, `${layer.name}/bias`, {
      shape: [units],
      values: new Float32Array(units),
    });
  }

  conv2d(layer: tf.layers.Layer, config: tf.serialization.ConfigDict): void {
    channelsLast(layer, config);
    const weights = layer.getWeights();
    const kernel = this.weight(layer.name, `${layer.name}/kernel`, weights[0]); // [kh, kw, in, out]
    const bias = this.biasOf(layer, weights, weights[0].shape[3] ?? 0);
    const [sh, sw] = pair(config.strides ?? 1);
    const [dh, dw] = pair(config.dilationRate ?? 1);
    const act = this.activation(layer, String(config.activation ?? "linear"));
    this.op(`${layer.name}/${act.fused.at(-1)}`, "_FusedConv2D", [kernel, bias], {
      T,
      num_args: int(1),
      fused_ops: strList(act.fused),
      strides: intList([1, sh, sw, 1]),
      padding: str(padding(layer, config.padding ?? "valid")),
      data_format: str("NHWC"),
      dilations: intList([1, dh, dw, 1]),
      explicit_paddings: { list: {} },
      use_cudnn_on_gpu: bool(true),
      epsilon: float(0),
    });
    if (act.after) this.op(`${layer.name}/${act.after}`, act.after, [], { T });
  }

  pool(layer: tf.layers.Layer, config: tf.serialization.ConfigDict, op: "MaxPool" | "AvgPool") {
    channelsLast(layer, config);
    const [kh, kw] = pair(config.poolSize ?? 2);
    const [sh, sw] = pair(config.strides ?? config.poolSize ?? 2);
    this.op(`${layer.name}/${op}`, op, [], {
      T,
      ksize: intList([1, kh, kw, 1]),
      strides: intList([1, sh, sw, 1]),
      padding: str(padding(layer, config.padding ?? "valid")),
      data_format: str("NHWC"),
    });
  }

  flatten(layer: tf.layers.Layer): void {
    const shape = layer.outputShape as (number | null)[];
    const size = shape[1];
    if (shape.length !== 2 || size === null) {
      throw unsupported(layer, `output shape [${shape}] is not a known [batch, n]`);
    }
    const target = { shape: [2], values: Int32Array.from([-1, size]) };
    const constName = this.weight(null, `${layer.name}/Const`, target);
    this.op(`${layer.name}/Reshape`, "Reshape", [constName], { T, Tshape: type("int32") });
  }

  dense(layer: tf.layers.Layer, config: tf.serialization.ConfigDict): void {
    const rank = (layer.input as tf.SymbolicTensor).shape.length;
    if (rank !== 2) {
      throw unsupported(layer, `inputs of rank ${rank} are not supported: expected [batch, n]`);
    }
    const weights = layer.getWeights();
    const kernel = this.weight(layer.name, `${layer.name}/kernel`, weights[0]); // [in, out]
    const bias = this.biasOf(layer, weights, weights[0].shape[1] ?? 0);
    const act = this.activation(layer, String(config.activation ?? "linear"));
    this.op(`${layer.name}/${act.fused.at(-1)}`, "_FusedMatMul", [kernel, bias], {
      T,
      num_args: int(1),
      fused_ops: strList(act.fused),
      transpose_a: bool(false),
      transpose_b: bool(false),
      epsilon: float(0),
    });
    if (act.after) this.op(`${layer.name}/${act.after}`, act.after, [], { T });
  }

  standalone(layer: tf.layers.Layer, activation: string): void {
    if (activation === "linear") return;
    const op = STANDALONE[activation];
    if (!op) throw unsupported(layer, `activation "${activation}" is not supported`);
    this.op(`${layer.name}/${op}`, op, [], { T });
  }
}

/** The layers of a single chain input → … → output, or a TypeError naming where it branches. */
function chain(model: tf.LayersModel): tf.layers.Layer[] {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new TypeError(
      `Cannot export model "${model.name}": expected one input and one output, found ${model.inputs.length} and ${model.outputs.length}`,
    );
  }
  const layers = model.layers.filter((l) => l.getClassName() !== "InputLayer");
  let previous = model.inputs[0].sourceLayer.name;
  for (const layer of layers) {
    const inbound = layer.inboundNodes.flatMap((n) => n.inboundLayers.map((l) => l.name));
    if (inbound.length !== 1 || inbound[0] !== previous) {
      throw new TypeError(
        `Cannot export layer "${layer.name}" (${layer.getClassName()}): expected a single chain of layers, found inputs from ${
          inbound.join(", ") || "none"
        }`,
      );
    }
    previous = layer.name;
  }
  return layers;
}

/**
 * Translates a sequential tfjs layers model into a TensorFlow GraphDef in JSON form with the ops
 * tfjs' graph executor runs (`_FusedConv2D`, `MaxPool`, `Reshape`, `_FusedMatMul`, `Softmax`),
 * followed by an `Identity` output. Throws a `TypeError` naming any layer it cannot translate.
 */
export function buildGraph(model: tf.LayersModel): BuiltGraph {
  const layers = chain(model);
  const inputKey = model.inputs[0].sourceLayer.name;
  const inputShape = model.inputs[0].shape;
  const builder = new GraphBuilder(model.name, inputKey);
  builder.nodes.push({
    name: inputKey,
    op: "Placeholder",
    attr: { dtype: T, shape: { shape: tensorShape(inputShape) } },
  });
  for (const layer of layers) {
    const config = layer.getConfig();
    const kind = layer.getClassName();
    if (kind === "Conv2D") builder.conv2d(layer, config);
    else if (kind === "MaxPooling2D") builder.pool(layer, config, "MaxPool");
    else if (kind === "AveragePooling2D") builder.pool(layer, config, "AvgPool");
    else if (kind === "Flatten") builder.flatten(layer);
    else if (kind === "Dense") builder.dense(layer, config);
    else if (kind === "Activation") builder.standalone(layer, String(config.activation));
    else if (kind !== "Dropout") {
      throw unsupported(layer, `the exporter supports ${SUPPORTED_LAYERS.join(", ")}`);
    }
  }
  builder.nodes.push({ name: "Identity", op: "Identity", input: [builder.current], attr: { T } });
  const last = layers.at(-1);
  return {
    nodes: builder.nodes,
    weights: builder.weights,
    input: { key: inputKey, node: inputKey, shape: inputShape },
    output: { key: last?.name ?? "output", node: "Identity", shape: model.outputs[0].shape },
  };
}
