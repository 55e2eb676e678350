// An exported graph model in headless Chromium (Debian's, driven by playwright-core): the page loads
// tfjs from the local node_modules (dist/tf.min.js) and the model with tf.loadGraphModel over a
// loopback-only server, predicts 32 embedded digits and must pick the same digits as Deno does.
// Skips when /usr/bin/chromium is absent.
//
// playwright-core needs --allow-all in Deno, so the browser is driven from a child
// `deno run --allow-all` of this file (import.meta.main is true there, false under deno test).
import { deepEqual, equal, ok } from "node:assert/strict";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { loadDigits } from "../src/data/mod.ts";
import { exportGraphModel } from "../src/export/mod.ts";
import { saveLayersModel } from "../src/io/mod.ts";
import { loadClassifier } from "../src/model/classifier.ts";
import { createModel } from "../src/model/create_model.ts";

const CHROMIUM = "/usr/bin/chromium";
const N = 32;
const exists = (path: string) => Deno.stat(path).then(() => true, () => false);

const PAGE = `<!doctype html><meta charset="utf-8"><title>export check</title>
<script src="/tf.min.js"></script>
<script>
(async () => {
  try {
    await tf.setBackend("cpu");
    const model = await tf.loadGraphModel("/model/model.json");
    const batch = new Float32Array(await (await fetch("/batch.bin")).arrayBuffer());
    const n = batch.length / 784;
    const out = model.predict(tf.tensor4d(batch, [n, 28, 28, 1]));
    window.result = { backend: tf.getBackend(), version: tf.version.tfjs, probs: Array.from(await out.data()) };
  } catch (error) {
    window.result = { error: String(error && error.stack || error) };
  }
})();
</script>`;

/** The child: opens `url` in Chromium and prints what the page computed. */
async function drivePage(url: string): Promise<void> {
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
  });
  try {
    const page = await browser.newPage();
    await page.goto(url);
    await page.waitForFunction("window.result !== undefined", undefined, { timeout: 60_000 });
    console.log(JSON.stringify(await page.evaluate("window.result")));
  } finally {
    await browser.close();
  }
}

if (import.meta.main) await drivePage(Deno.args[0]);

function argmaxRows(p: ArrayLike<number>): number[] {
  return Array.from({ length: p.length / 10 }, (_, i) => {
    const row = Array.from({ length: 10 }, (_, k) => p[i * 10 + k]);
    return row.indexOf(Math.max(...row));
  });
}

function tfjsDist(): string {
  const main = createRequire(import.meta.url).resolve("@tensorflow/tfjs");
  return dirname(main); // …/@tensorflow/tfjs/dist
}

Deno.test({
  name: "An exported uint8 graph model picks the same digits in headless Chromium as in Deno",
  ignore: !(await exists(CHROMIUM)),
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "export_browser_" });
    const files: Record<string, string> = {
      "/tf.min.js": join(tfjsDist(), "tf.min.js"),
      "/batch.bin": join(dir, "batch.bin"),
      "/model/model.json": join(dir, "web", "model.json"),
      "/model/group1-shard1of1.bin": join(dir, "web", "group1-shard1of1.bin"),
    };
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
      const path = new URL(req.url).pathname;
      if (path === "/") return new Response(PAGE, { headers: { "content-type": "text/html" } });
      if (!(path in files)) return new Response("not found", { status: 404 });
      const type = path.endsWith(".js") ? "text/javascript" : "application/octet-stream";
      return new Response(await Deno.readFile(files[path]), { headers: { "content-type": type } });
    });
    try {
      const model = createModel({ seed: 5 });
      await saveLayersModel(model, join(dir, "model"));
      model.dispose();
      await exportGraphModel(join(dir, "model"), join(dir, "web"), { quantize: "uint8" });
      const digits = await loadDigits();
      const batch = Float32Array.from(digits.images.subarray(0, N * 784), (v) => v / 255);
      await Deno.writeFile(join(dir, "batch.bin"), new Uint8Array(batch.buffer));
      const classifier = await loadClassifier(join(dir, "web"));
      const inDeno = await classifier.predict(batch, N);
      classifier.dispose();

      const child = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "--allow-all",
          decodeURIComponent(new URL(import.meta.url).pathname),
          `http://127.0.0.1:${server.addr.port}/`,
        ],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stderr = new TextDecoder().decode(child.stderr);
      equal(child.code, 0, `the browser driver failed:\n${stderr}`);
      const result = JSON.parse(new TextDecoder().decode(child.stdout).trim());
      equal(result.error, undefined, result.error);
      equal(result.backend, "cpu");
      equal(result.probs.length, N * 10);
      deepEqual(argmaxRows(result.probs), argmaxRows(inDeno));
      const diff = Math.max(...inDeno.map((v, i) => Math.abs(v - result.probs[i])));
      ok(diff < 1e-5, `browser and Deno probabilities differ by ${diff}`);
    } finally {
      await server.shutdown();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
