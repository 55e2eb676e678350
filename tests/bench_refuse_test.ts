// `deno task bench refuse --digit-scenes N`: the single-digit check of the number reader on
// photo-like scenes of MNIST test digits (the committed grid), with the committed default model.
import { deepEqual, equal, ok } from "node:assert/strict";
import { selectBackend } from "../src/backend/mod.ts";
import { loadTestDigitGrid } from "../src/bench/_test_digits.ts";
import { benchDigitScenes } from "../src/bench/refuse.ts";
import { loadClassifier } from "../src/model/classifier.ts";

const MODEL = Deno.env.get("PHOTO_TEST_MODEL") ?? "models/default";
const ignore = !(await Deno.stat(`${MODEL}/model.json`).then(() => true, () => false));

Deno.test({
  name: "benchDigitScenes() counts every scene once, reads most right, the same for the same seed",
  ignore,
  fn: async () => {
    await selectBackend("wasm");
    const model = await loadClassifier(MODEL);
    const grid = await loadTestDigitGrid();
    const first = await benchDigitScenes(model, grid, 12, 4242);
    equal(first.right + first.refused + first.wrong, 12);
    equal(first.total, 12);
    equal(first.seed, 4242);
    ok(first.right >= 9, `Only ${first.right} of 12 scenes of one digit read right`);
    deepEqual(await benchDigitScenes(model, grid, 12, 4242), first);
  },
});
