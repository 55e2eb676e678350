import { deepEqual, equal, match, ok, rejects } from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { createModel } from "../src/model/create_model.ts";
import { decideDigit, formatPrediction, predictFiles } from "../src/preprocess/mod.ts";
import { FIXTURES } from "./_photo_fixtures.ts";

const fixture = (name: string): string => new URL(name, FIXTURES).pathname;

/** Saves an untrained notebook CNN as a tfjs layers model (model.json + weights.bin) in `dir`. */
async function saveUntrainedModel(dir: string): Promise<void> {
  const model = createModel({ seed: 1 });
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    const data = artifacts.weightData!;
    const parts = Array.isArray(data) ? data : [data];
    const bytes = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
    let at = 0;
    for (const p of parts) {
      bytes.set(new Uint8Array(p), at);
      at += p.byteLength;
    }
    await Deno.writeFile(`${dir}/weights.bin`, bytes);
    const json = {
      modelTopology: artifacts.modelTopology,
      format: "layers-model",
      weightsManifest: [{ paths: ["weights.bin"], weights: artifacts.weightSpecs }],
    };
    await Deno.writeTextFile(`${dir}/model.json`, JSON.stringify(json));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
  }));
  model.dispose();
}

Deno.test("predictFiles() says how to get a model when there is none", async () => {
  await rejects(
    predictFiles([fixture("paper_shadow_3.jpg")], { model: "/nowhere/model" }),
    /No model at \/nowhere\/model: expected \/nowhere\/model\/model.json. Pass --model DIR/,
  );
});

Deno.test("predictFiles() answers each file: a digit with its top three, or null with a reason", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await saveUntrainedModel(dir);
    const files = [
      fixture("paper_shadow_3.jpg"),
      fixture("blank_page.jpg"),
      fixture("drawing.svg"),
    ];
    const [photo, blank, svg] = await predictFiles(files, { model: dir, minConfidence: 0 });
    equal(photo.file, files[0]);
    equal(photo.top!.length, 3);
    ok(photo.top![0].probability >= photo.top![1].probability);
    ok(photo.top![1].probability >= photo.top![2].probability);
    // An untrained model spreads its probabilities: either its best guess or "not sure".
    if (photo.digit === null) match(photo.reason!, /^not sure/);
    else equal(photo.digit, photo.top![0].digit);
    equal(photo.probability, photo.top![0].probability);
    deepEqual([blank.digit, blank.top], [null, []]);
    match(blank.reason!, /no digit found/);
    equal(svg.digit, null);
    match(svg.reason!, /SVG/);
    const [unsure] = await predictFiles([files[0]], { model: dir, minConfidence: 1 });
    equal(unsure.digit, null);
    match(unsure.reason!, /^not sure: best guess \d at 0\.\d\d$/);
    const debugDir = `${dir}/debug`;
    await predictFiles([files[0]], { model: dir, debugDir });
    ok((await Deno.stat(`${debugDir}/paper_shadow_3.jpg-8-input.png`)).isFile);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("decideDigit() refuses spread-out probabilities and blob-like ink", () => {
  const spread = new Float32Array([0.5, 0.05, 0.05, 0.05, 0.05, 0.06, 0.06, 0.06, 0.06, 0.06]);
  equal(decideDigit(spread, undefined, { maxEntropy: 2, temperature: 1 }).digit, null);
  const sure = new Float32Array([0, 0, 0.99, 0.01, 0, 0, 0, 0, 0, 0]);
  const stats = {
    inkFraction: 0.3,
    fill: 0.7,
    strokeRatio: 0.4,
    clutter: 0,
    parts: 1,
    contrast: 0.8,
  };
  match(decideDigit(sure, stats).reason!, /not a digit/);
  equal(decideDigit(sure, { ...stats, strokeRatio: 0.1 }).digit, 2);
});

Deno.test("formatPrediction() prints the reason when there is no digit", () => {
  const line = formatPrediction({
    file: "a.png",
    digit: null,
    probability: 0,
    top: [],
    reason: "no digit found",
  });
  equal(line, "a.png: no answer (no digit found)");
});
