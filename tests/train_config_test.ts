import { deepEqual, equal, throws } from "node:assert/strict";
import { DEFAULT_TRAIN_CONFIG, resolveTrainConfig } from "../src/train/config.ts";
import { formatSubmission } from "../src/train/submission.ts";
import { mulberry32, shuffledIndices } from "../src/data/mod.ts";

Deno.test("resolveTrainConfig() keeps the notebook's defaults", () => {
  const config = resolveTrainConfig();
  deepEqual(config, { ...DEFAULT_TRAIN_CONFIG });
  equal(config.epochs, 10);
  equal(config.batchSize, 32);
  equal(config.seed, 1212);
  equal(config.validationSplit, 0.2);
  equal(config.learningRate, 0.001);
});

Deno.test("resolveTrainConfig() rejects unknown keys and bad values", () => {
  throws(() => resolveTrainConfig({ epoch: 3 } as never), /Unknown training setting "epoch"/);
  throws(() => resolveTrainConfig({ epochs: 0 }), RangeError);
  throws(() => resolveTrainConfig({ batchSize: 2.5 }), /batch size/);
  throws(() => resolveTrainConfig({ validationSplit: 1 }), /validation split/);
  throws(() => resolveTrainConfig({ learningRate: -1 }), /learning rate/);
  throws(() => resolveTrainConfig({ backend: "tpu" as never }), /Unknown backend "tpu"/);
  throws(() => resolveTrainConfig({ recipe: "fancy" as never }), /Unknown recipe "fancy"/);
  throws(() => resolveTrainConfig({ threads: 3 }), /Invalid threads: expected 1 or 2, received 3/);
  throws(() => resolveTrainConfig({ threads: 0 }), /Invalid threads/);
  equal(resolveTrainConfig({ threads: 2 }).threads, 2);
});

Deno.test("resolveTrainConfig() ignores undefined overrides", () => {
  equal(resolveTrainConfig({ epochs: undefined, limit: 100 }).epochs, 10);
});

Deno.test("formatSubmission() writes Kaggle's header and ids from 1", () => {
  const csv = formatSubmission(new Uint8Array([7, 2, 1]));
  deepEqual(csv.trimEnd().split("\n"), ["ImageId,Label", "1,7", "2,2", "3,1"]);
});

Deno.test("shuffledIndices() is a seeded shuffle of every index", () => {
  const a = shuffledIndices(1000, mulberry32(5));
  const b = shuffledIndices(1000, mulberry32(5));
  const c = shuffledIndices(1000, mulberry32(6));
  deepEqual(a, b);
  equal(a.some((v, i) => v !== c[i]), true);
  deepEqual([...a].sort((x, y) => x - y), Array.from({ length: 1000 }, (_, i) => i));
});
