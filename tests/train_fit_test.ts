import * as tf from "@tensorflow/tfjs";
import { deepEqual, equal, ok } from "node:assert/strict";
import { join } from "node:path";
import { createModel } from "../src/model/create_model.ts";
import { createCheckpointer } from "../src/train/_checkpointer.ts";
import { listenForStop } from "../src/train/_stop_signal.ts";

Deno.test("createCheckpointer() saves only improvements and restores the best weights", async () => {
  const dir = await Deno.makeTempDir({ prefix: "train_ckpt_" });
  const model = createModel({ seed: 2 });
  const checkpoints = createCheckpointer(model, dir);
  equal(checkpoints.best, null);
  equal(await checkpoints.offer(1, 0.5), true);
  const best = model.getWeights().map((w) => w.dataSync().slice());
  const saved = await Deno.stat(join(dir, "model", "model.json"));
  model.setWeights(model.getWeights().map((w) => tf.zerosLike(w)));
  equal(await checkpoints.offer(2, 0.4), false, "a worse epoch is not saved");
  equal(await checkpoints.offer(3, 0.5), false, "an equal epoch is not saved");
  deepEqual(checkpoints.best, { epoch: 1, accuracy: 0.5 });
  equal(
    (await Deno.stat(join(dir, "model", "model.json"))).mtime?.getTime(),
    saved.mtime?.getTime(),
  );
  await checkpoints.restore();
  model.getWeights().forEach((w, i) => deepEqual(w.dataSync(), best[i], `Weight ${i}`));
  model.dispose();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("createCheckpointer() saves the model as it is when no epoch completed", async () => {
  const dir = await Deno.makeTempDir({ prefix: "train_ckpt_" });
  const model = createModel({ seed: 2 });
  await createCheckpointer(model, dir).restore();
  ok((await Deno.stat(join(dir, "model", "model.json"))).isFile);
  model.dispose();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("listenForStop() turns on abort, and stops listening once disposed", () => {
  const first = new AbortController();
  const stop = listenForStop(() => {}, first.signal);
  equal(stop.stopped, false);
  first.abort();
  equal(stop.stopped, true);
  stop.dispose();
  const second = new AbortController();
  const later = listenForStop(() => {}, second.signal);
  later.dispose();
  second.abort();
  equal(later.stopped, false, "a disposed listener ignores a later abort");
  equal(
    listenForStop(() => {}, AbortSignal.abort()).stopped,
    true,
    "an aborted signal stops at once",
  );
});
