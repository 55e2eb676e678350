import { equal } from "node:assert/strict";
import { predictFiles } from "../src/preprocess/mod.ts";
import { fixtureRows, FIXTURES } from "./_photo_fixtures.ts";

/** The committed default model, or another one to check (`PHOTO_TEST_MODEL=dir deno task test`). */
const MODEL = Deno.env.get("PHOTO_TEST_MODEL") ?? "models/default";
const hasModel = await Deno.stat(`${MODEL}/model.json`).then(() => true, () => false);

Deno.test({
  name: `predictFiles() reads the right digit in every fixture scene with ${MODEL}`,
  ignore: !hasModel,
  async fn() {
    const scenes = (await fixtureRows()).filter((r) => r.kind === "scene");
    const answers = await predictFiles(scenes.map((r) => new URL(r.file, FIXTURES).pathname), {
      model: MODEL,
    });
    for (const [i, row] of scenes.entries()) {
      equal(answers[i].digit, row.label, `${row.file}: ${JSON.stringify(answers[i])}`);
    }
  },
});
