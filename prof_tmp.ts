import { selectBackend } from "./src/backend/mod.ts";
import { loadClassifier } from "./src/model/classifier.ts";
import { preprocessImage } from "./src/preprocess/mod.ts";
import { createApp } from "./src/serve/create_app.ts";
import { samplePng } from "./tests/_sample_images.ts";
await selectBackend("wasm");
const classifier = await loadClassifier("models/default/");
const png = await samplePng(7, 64);
const app = createApp({ classifier, preprocess: (b, o) => preprocessImage(b, o) });
const N = 500;
const cpu = () => { const u = Deno.osUptime; return performance.now(); };
async function time(label: string, fn: () => Promise<unknown>) {
  for (let i = 0; i < 50; i++) await fn();
  const t = performance.now();
  const c0 = process.cpuUsage();
  for (let i = 0; i < N; i++) await fn();
  const c = process.cpuUsage(c0);
  console.log(label, ((performance.now() - t) / N).toFixed(3), "ms wall", ((c.user + c.system) / 1000 / N).toFixed(3), "ms cpu");
}
import process from "node:process";
await time("preprocess", () => preprocessImage(png));
const input = (await preprocessImage(png)).input!;
await time("predict", () => classifier.predict(input, 1));
const b8 = new Float32Array(784 * 8); for (let i = 0; i < 8; i++) b8.set(input, i * 784);
await time("predict x8", () => classifier.predict(b8, 8));
await time("app", async () => { const r = await app.request("/predict", { method: "POST", body: png, headers: { "content-type": "image/png" } }); await r.text(); });
