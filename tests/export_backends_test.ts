import { deepEqual, equal, ok } from "node:assert/strict";
import { join } from "node:path";
import { selectBackend } from "../src/backend/mod.ts";
import { loadDigits } from "../src/data/mod.ts";
import { exportGraphModel } from "../src/export/mod.ts";
import { saveLayersModel } from "../src/io/mod.ts";
import { loadClassifier } from "../src/model/classifier.ts";
import { createModel } from "../src/model/create_model.ts";

const N = 64;

function argmaxRows(p: Float32Array): number[] {
  return Array.from({ length: p.length / 10 }, (_, i) => {
    const row = p.subarray(i * 10, i * 10 + 10);
    return row.indexOf(Math.max(...row));
  });
}

Deno.test("An exported uint8 graph model gives the same digits on the cpu and wasm backends", async () => {
  // Importing the backend module registers wasm with a higher priority than cpu: choose first.
  await selectBackend("cpu");
  const dir = await Deno.makeTempDir({ prefix: "export_backends_" });
  try {
    const model = createModel({ seed: 11 });
    await saveLayersModel(model, join(dir, "model"));
    model.dispose();
    await exportGraphModel(join(dir, "model"), join(dir, "web"), { quantize: "uint8" });
    const digits = await loadDigits();
    const batch = Float32Array.from(digits.images.subarray(0, N * 784), (v) => v / 255);

    const results: Record<string, Float32Array> = {};
    for (const name of ["cpu", "wasm"]) {
      equal((await selectBackend(name)).name, name);
      const classifier = await loadClassifier(join(dir, "web"));
      results[name] = await classifier.predict(batch, N);
      classifier.dispose();
    }
    deepEqual(argmaxRows(results.wasm), argmaxRows(results.cpu));
    const diff = Math.max(...results.wasm.map((v, i) => Math.abs(v - results.cpu[i])));
    ok(diff < 1e-4, `cpu and wasm differ by ${diff}`);
  } finally {
    await selectBackend("cpu");
    await Deno.remove(dir, { recursive: true });
  }
});
