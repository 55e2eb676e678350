import * as tf from "@tensorflow/tfjs";
import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { join } from "node:path";
import { exportGraphModel } from "../src/export/mod.ts";
import { loadGraphModel, saveLayersModel } from "../src/io/mod.ts";
import { createModel } from "../src/model/create_model.ts";
import { loadClassifier } from "../src/model/classifier.ts";

const b64 = (s: string) => btoa(s);

/** Pseudo-images with some structure, in 0-1. */
function sampleBatch(n: number): Float32Array {
  return Float32Array.from({ length: n * 784 }, (_, i) => (Math.sin(i * 0.37) + 1) / 2);
}

async function inTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "export_graph_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function savedModel(dir: string, model: tf.LayersModel = createModel({ seed: 7 })) {
  await saveLayersModel(model, join(dir, "run", "model"));
  model.dispose();
  return join(dir, "run", "model");
}

Deno.test("exportGraphModel() writes a graph model.json in the converter's layout", async () => {
  await inTempDir(async (dir) => {
    const layers = await savedModel(dir);
    await Deno.writeTextFile(join(dir, "run", "metrics.json"), '{"validation":{"accuracy":0.5}}');
    const out = join(dir, "web");
    const result = await exportGraphModel(layers, out, {
      quantize: "uint8",
      perLayer: { conv1: "float16" },
    });
    deepEqual([...Deno.readDirSync(out)].map((e) => e.name).sort(), [
      "group1-shard1of1.bin",
      "metadata.json",
      "model.json",
    ]);
    const json = JSON.parse(await Deno.readTextFile(join(out, "model.json")));
    equal(json.format, "graph-model");
    ok(json.generatedBy.startsWith("TensorFlow.js tfjs-layers v"));
    ok(json.convertedBy.includes("export"));
    const nodes: { name: string; op: string; input?: string[]; attr: Record<string, unknown> }[] =
      json.modelTopology.node;
    deepEqual(nodes.filter((n) => n.op !== "Const").map((n) => n.op), [
      "Placeholder",
      "_FusedConv2D",
      "MaxPool",
      "_FusedConv2D",
      "MaxPool",
      "Reshape",
      "_FusedMatMul",
      "_FusedMatMul",
      "Softmax",
      "Identity",
    ]);
    const conv = nodes.find((n) => n.op === "_FusedConv2D")!;
    deepEqual(conv.attr.fused_ops, { list: { s: [b64("BiasAdd"), b64("Relu")] } });
    deepEqual(conv.attr.strides, { list: { i: ["1", "1", "1", "1"] } });
    deepEqual(conv.attr.padding, { s: b64("VALID") });
    deepEqual(conv.attr.num_args, { i: "1" });
    deepEqual(conv.attr.T, { type: "DT_FLOAT" });
    const pool = nodes.find((n) => n.op === "MaxPool")!;
    deepEqual(pool.attr.ksize, { list: { i: ["1", "2", "2", "1"] } });
    const logits = nodes.filter((n) => n.op === "_FusedMatMul")[1];
    deepEqual(logits.attr.fused_ops, { list: { s: [b64("BiasAdd")] } });
    deepEqual(
      json.signature.inputs.conv1_input.tensorShape.dim.map((d: { size: string }) => d.size),
      [
        "-1",
        "28",
        "28",
        "1",
      ],
    );
    equal(json.signature.outputs.output.name, "Identity:0");

    const [group] = json.weightsManifest as tf.io.WeightsManifestConfig;
    deepEqual(group.paths, ["group1-shard1of1.bin"]);
    const byName = Object.fromEntries(
      group.weights.map((w) => [w.name.split("/").slice(1).join("/"), w]),
    );
    deepEqual(byName["conv1/kernel"].quantization, { dtype: "float16", original_dtype: "float32" });
    const q = byName["dense1/kernel"].quantization;
    equal(q?.dtype, "uint8");
    const zero = -q!.min! / q!.scale!;
    ok(Math.abs(zero - Math.round(zero)) < 1e-6, "zero is exact");
    equal(byName["flatten/Const"].dtype, "int32");
    equal(byName["flatten/Const"].quantization, undefined);
    // Every Const node has a manifest entry of the same name.
    deepEqual(
      nodes.filter((n) => n.op === "Const").map((n) => n.name),
      group.weights.map((w) => w.name),
    );
    // 37,610 weights: conv1's 208 as float16, the rest as uint8, plus the int32 shape [-1, 256].
    equal(result.weightBytes, 208 * 2 + (37_610 - 208) + 8);
    equal(result.totalBytes, result.weightBytes + result.modelJsonBytes);

    const meta = JSON.parse(await Deno.readTextFile(join(out, "metadata.json")));
    deepEqual(meta.input, { name: "conv1_input", shape: [1, 28, 28, 1], dtype: "float32" });
    deepEqual(meta.labels, ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
    equal(meta.normalization.scale, 1 / 255);
    deepEqual(meta.training, { validation: { accuracy: 0.5 } });
    deepEqual(meta.quantization, { default: "uint8", perLayer: { conv1: "float16" } });
    equal(meta.tfjsVersion, tf.version.tfjs);
  });
});

Deno.test("An exported graph model predicts as the layers model, closer with more bits", async () => {
  await inTempDir(async (dir) => {
    const layersDir = await savedModel(dir);
    const layers = await loadClassifier(layersDir);
    const batch = sampleBatch(16);
    const expected = await layers.predict(batch, 16);
    layers.dispose();
    const bounds = { none: 1e-6, uint16: 1e-4, float16: 1e-3, uint8: 3e-2 } as const;
    for (const [quantize, bound] of Object.entries(bounds) as [keyof typeof bounds, number][]) {
      await exportGraphModel(layersDir, join(dir, quantize), { quantize });
      const graph = await loadClassifier(join(dir, quantize));
      equal(graph.kind, "graph");
      equal(graph.metadata?.quantization.default, quantize);
      const got = await graph.predict(batch, 16);
      graph.dispose();
      const diff = Math.max(...got.map((v, i) => Math.abs(v - expected[i])));
      ok(diff <= bound, `${quantize}: largest difference ${diff} > ${bound}`);
    }
    // tf.loadGraphModel through our IOHandler sees the signature's names.
    const model = await loadGraphModel(join(dir, "uint8"));
    equal(model.inputs[0].name, "conv1_input");
    deepEqual(model.outputs.map((o) => o.name), ["Identity"]);
    model.dispose();
  });
});

Deno.test("exportGraphModel() names an unsupported layer and its class, and writes nothing", async () => {
  await inTempDir(async (dir) => {
    const model = tf.sequential({
      name: "odd",
      layers: [
        tf.layers.conv2d({ name: "c", inputShape: [8, 8, 1], filters: 2, kernelSize: 3 }),
        tf.layers.batchNormalization({ name: "bn" }),
        tf.layers.flatten({ name: "f" }),
        tf.layers.dense({ name: "d", units: 3 }),
      ],
    });
    const layersDir = await savedModel(dir, model);
    const out = join(dir, "web");
    await rejects(exportGraphModel(layersDir, out), {
      name: "TypeError",
      message: /^Cannot export layer "bn" \(BatchNormalization\): the exporter supports Conv2D, /,
    });
    deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["run"]);
  });
});

Deno.test("exportGraphModel() rejects bad quantizations, missing paths and non-models", async () => {
  await inTempDir(async (dir) => {
    const layersDir = await savedModel(dir);
    const out = join(dir, "web");
    await rejects(exportGraphModel(layersDir, out, { quantize: "int4" as "uint8" }), {
      name: "RangeError",
      message: 'Unknown --quantize value "int4": expected one of none, float16, uint16, uint8',
    });
    await rejects(exportGraphModel(layersDir, out, { perLayer: { pool1: "float16" } }), {
      name: "RangeError",
      message:
        /^Cannot quantize layer "pool1" on its own: expected one of the layers with weights \(conv1, conv2, dense1, output\)$/,
    });
    await rejects(exportGraphModel(join(dir, "nothing"), out), { name: "NotFound" });
    await Deno.writeTextFile(join(dir, "data.csv"), "label,pixel0\n1,0\n");
    await rejects(exportGraphModel(join(dir, "data.csv"), out), {
      name: "TypeError",
      message: /data\.csv: expected a tfjs model\.json .* found text that is not JSON/,
    });
    await exportGraphModel(layersDir, out, { quantize: "none" });
    await rejects(exportGraphModel(out, join(dir, "again")), {
      name: "TypeError",
      message: /expected a layers model, found a graph model already$/,
    });
    // Only the successful export is there: no temporary folders left behind.
    deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), ["data.csv", "run", "web"]);
  });
});

Deno.test("A wider model (filters 16/32) exports to uint8 and reads back as the layers model", async () => {
  await inTempDir(async (dir) => {
    const wide = createModel({ seed: 7, filters: [16, 32], units: 128 });
    equal(wide.countParams(), 80_202);
    const layersDir = await savedModel(dir, wide);
    const layers = await loadClassifier(layersDir);
    const batch = sampleBatch(16);
    const expected = await layers.predict(batch, 16);
    layers.dispose();
    const out = join(dir, "web");
    const result = await exportGraphModel(layersDir, out, { quantize: "uint8" });
    // 80,202 weights in uint8, plus the int32 shape [-1, 512] of the flatten.
    equal(result.weightBytes, 80_202 + 8);
    ok(result.totalBytes > 45_000 && result.totalBytes < 150_000, `${result.totalBytes} B`);
    const json = JSON.parse(await Deno.readTextFile(join(out, "model.json")));
    const [group] = json.weightsManifest as tf.io.WeightsManifestConfig;
    const shapes = Object.fromEntries(
      group.weights.map((w) => [w.name.split("/").slice(1).join("/"), w.shape]),
    );
    deepEqual(shapes["conv1/kernel"], [5, 5, 1, 16]);
    deepEqual(shapes["conv2/kernel"], [5, 5, 16, 32]);
    deepEqual(shapes["dense1/kernel"], [512, 128]);
    deepEqual(shapes["output/kernel"], [128, 10]);
    const graph = await loadClassifier(out);
    equal(graph.kind, "graph");
    const got = await graph.predict(batch, 16);
    graph.dispose();
    equal(got.length, 16 * 10);
    const diff = Math.max(...got.map((v, i) => Math.abs(v - expected[i])));
    ok(diff <= 3e-2, `uint8: largest difference ${diff}`);
  });
});
