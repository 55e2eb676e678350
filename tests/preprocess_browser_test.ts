import { equal, ok } from "node:assert/strict";
import { buildBrowserPipeline, PIPELINE_BUNDLE } from "../src/preprocess/build_browser.ts";

Deno.test("The committed src/serve/page/pipeline.js is the bundle of src/preprocess/browser.ts (deno task build:page)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const out = new URL(`file://${dir}/pipeline.js`);
    await buildBrowserPipeline(out);
    const fresh = await Deno.readTextFile(out);
    equal(fresh, await Deno.readTextFile(PIPELINE_BUNDLE), "run `deno task build:page`");
    ok(!/\bsharp\b|@tensorflow|\bnode:/.test(fresh), "no server module in the bundle");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
