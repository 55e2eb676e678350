import * as tf from "@tensorflow/tfjs";
import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { join } from "node:path";
import sharp from "sharp";
import { loadLayersModel } from "../src/io/mod.ts";
import { resolveTrainConfig } from "../src/train/config.ts";
import { train } from "../src/train/train.ts";
import { evaluateModel, predictDigits } from "../src/train/evaluate.ts";
import { formatSubmission } from "../src/train/submission.ts";
import { limitDigits, loadDigits, splitDigits } from "../src/data/mod.ts";

const quiet = { log: () => {}, progress: false };

async function pngSize(path: string): Promise<[number, number]> {
  const meta = await sharp(await Deno.readFile(path)).metadata();
  equal(meta.format, "png", `${path} is not a PNG`);
  return [meta.width ?? 0, meta.height ?? 0];
}

Deno.test("train() runs the notebook end to end on a small sample and writes the run folder", async () => {
  const out = await Deno.makeTempDir({ prefix: "train_run_" });
  const runDir = join(out, "run");
  const testCsv = join(out, "test.csv");
  // An unlabelled Kaggle-style test file made from 5 embedded digits.
  const embedded = await loadDigits();
  const rows = ["pixel" + Array.from({ length: 784 }, (_, i) => i).join(",pixel")];
  for (let i = 0; i < 5; i++) rows.push(embedded.images.subarray(i * 784, (i + 1) * 784).join(","));
  await Deno.writeTextFile(testCsv, rows.join("\n") + "\n");

  const config = resolveTrainConfig({
    limit: 600,
    epochs: 3,
    backend: "cpu",
    out: runDir,
    test: testCsv,
    tensorboard: join(out, "tb"),
  });
  const { metrics, history } = await train(config, quiet);

  equal(history.epochs.length, 3);
  ok(history.epochs[2].loss < history.epochs[0].loss, "training loss falls");
  ok(metrics.validation.accuracy > 0.5, `validation accuracy ${metrics.validation.accuracy}`);
  equal(metrics.trainSize, 480);
  equal(metrics.validationSize, 120);
  equal(metrics.backend, "cpu");

  const saved = JSON.parse(await Deno.readTextFile(join(runDir, "metrics.json")));
  for (const key of ["train", "validation", "backend", "samplesPerSecond", "epochs"]) {
    ok(key in saved, `metrics.json has ${key}`);
  }
  ok("loss" in saved.train && "accuracy" in saved.validation);
  const savedConfig = JSON.parse(await Deno.readTextFile(join(runDir, "config.json")));
  equal(savedConfig.limit, 600);
  equal(savedConfig.seed, 1212);

  for (const name of ["loss.png", "accuracy.png", "model.png", "confusion_matrix.png"]) {
    const [w, h] = await pngSize(join(runDir, name));
    ok(w >= 200 && h >= 200, `${name} is ${w}×${h}`);
  }
  const [gw, gh] = await pngSize(join(runDir, "train_digits.png"));
  const [vw, vh] = await pngSize(join(runDir, "validation_predictions.png"));
  ok(vw > gw && vh > gh, "the 14×14 grid is larger than the 5×5 grid");

  const submission = (await Deno.readTextFile(join(runDir, "submission.csv"))).trimEnd().split(
    "\n",
  );
  equal(submission.length, 6);
  equal(submission[0], "ImageId,Label");
  deepEqual(submission.slice(1).map((r) => r.split(",")[0]), ["1", "2", "3", "4", "5"]);
  ok(submission.slice(1).every((r) => /^\d+,[0-9]$/.test(r)));

  const events = [...Deno.readDirSync(join(out, "tb", "train"))].map((e) => e.name);
  ok(events.some((n) => n.startsWith("events.out.tfevents.")), "TensorBoard event file");
  await Deno.remove(out, { recursive: true });
});

Deno.test("A saved run model loads back and predicts exactly as the trained model in memory", async () => {
  const out = await Deno.makeTempDir({ prefix: "train_roundtrip_" });
  const testCsv = `${out}.test.csv`;
  const embedded = await loadDigits();
  const rows = ["pixel" + Array.from({ length: 784 }, (_, i) => i).join(",pixel")];
  for (let i = 0; i < 40; i++) {
    rows.push(embedded.images.subarray(i * 784, (i + 1) * 784).join(","));
  }
  await Deno.writeTextFile(testCsv, rows.join("\n") + "\n");
  const config = resolveTrainConfig({ limit: 200, epochs: 2, backend: "cpu", out, test: testCsv });
  await Deno.remove(out);
  // train() measures metrics.json and writes submission.csv with the model still in memory (its
  // best checkpoint's weights), then disposes it; the reloaded model must give the same figures.
  const { metrics } = await train(config, quiet);
  const model = await loadLayersModel(join(out, "model"));
  const { train: trainSet, validation } = splitDigits(limitDigits(embedded, 200), {
    validationSplit: config.validationSplit,
    seed: config.seed,
  });
  const reloaded = {
    train: await evaluateModel(model, trainSet),
    validation: await evaluateModel(model, validation),
  };
  deepEqual(
    { loss: reloaded.train.loss, accuracy: reloaded.train.accuracy },
    metrics.train,
  );
  deepEqual(
    { loss: reloaded.validation.loss, accuracy: reloaded.validation.accuracy },
    metrics.validation,
  );
  const test = await loadDigits(testCsv);
  const { predictions } = await predictDigits(model, test);
  const submission = await Deno.readTextFile(join(out, "submission.csv"));
  equal(submission, formatSubmission(predictions));
  model.dispose();
  tf.disposeVariables();
  await Deno.remove(out, { recursive: true });
  await Deno.remove(testCsv);
});

Deno.test("train() refuses a run folder that already holds results", async () => {
  const out = await Deno.makeTempDir({ prefix: "train_exists_" });
  await Deno.writeTextFile(join(out, "keep.txt"), "precious");
  await rejects(
    () => train(resolveTrainConfig({ limit: 100, epochs: 1, backend: "cpu", out }), quiet),
    /already exists and is not empty/,
  );
  equal(await Deno.readTextFile(join(out, "keep.txt")), "precious");
  await Deno.remove(out, { recursive: true });
});
