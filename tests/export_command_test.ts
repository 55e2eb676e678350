import * as tf from "@tensorflow/tfjs";
import { deepEqual, equal, match, ok, rejects } from "node:assert/strict";
import { join } from "node:path";
import { runExport } from "../src/export/mod.ts";
import { saveLayersModel } from "../src/io/mod.ts";
import { createModel } from "../src/model/create_model.ts";

async function withRun(fn: (dir: string, model: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "export_command_" });
  const model = createModel({ seed: 7 });
  try {
    await saveLayersModel(model, join(dir, "run", "model"));
    await fn(dir, join(dir, "run", "model"));
  } finally {
    model.dispose();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("runExport() exports, checks on the embedded hold-out and prints sizes and agreement", async () => {
  await withRun(async (dir, model) => {
    const lines: string[] = [];
    const report = await runExport({ model, quantize: "none" }, (line) => lines.push(line));
    const out = join(dir, "run", "graph_model_none");
    equal(report.export.outDir, out);
    equal(report.comparison.count, 2000);
    equal(report.comparison.agreement, 1);
    equal(report.threshold, 0.999);
    ok(report.layersBytes > 150_000);
    const text = lines.join("\n");
    match(text, /Wrote .*graph_model_none \(none\)/);
    match(text, /model\.json +[\d,]+ B/);
    match(text, /total +[\d,]+ B \([\d.]+ KiB\)/);
    match(text, /Checked on 2,000 embedded MNIST digits/);
    match(text, /top-1 agreement +100\.00 % \(0 of 2000 differ; threshold 99\.9 %\)/);
    match(text, /largest probability difference/);
    deepEqual([...Deno.readDirSync(join(dir, "run"))].map((e) => e.name).sort(), [
      "graph_model_none",
      "model",
    ]);
  });
});

Deno.test("runExport() refuses an export below the agreement threshold and leaves no folder", async () => {
  // An untrained model has near-uniform probabilities, so uint8 rounding flips many of its
  // choices: a real case of an export that must not be written.
  await withRun(async (dir, model) => {
    await rejects(runExport({ model, quantize: "uint8" }, () => {}), {
      name: "RangeError",
      message:
        /^The uint8 export agrees with the float32 model on \d+\.\d+ % of 2000 digits: expected at least 99\.5 %; .*graph_model_uint8 was not written/,
    });
    deepEqual([...Deno.readDirSync(join(dir, "run"))].map((e) => e.name), ["model"]);
    // Output folders it had to create are removed again, and a missing model creates nothing.
    const out = join(dir, "new", "deep", "web");
    await rejects(runExport({ model, quantize: "uint8", out }, () => {}), { name: "RangeError" });
    await rejects(runExport({ model: join(dir, "missing", "model"), out }, () => {}), {
      name: "NotFound",
    });
    deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["run"]);
  });
});

Deno.test("runExport() refuses an export above its size target and writes nothing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "export_size_" });
  // 101,770 weights: about 102 KB in uint8, above the 45 KB target of the notebook's CNN.
  const model = tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [28, 28, 1], name: "flatten" }),
      tf.layers.dense({ units: 128, activation: "relu", name: "dense1" }),
      tf.layers.dense({ units: 10, activation: "softmax", name: "output" }),
    ],
  });
  try {
    await saveLayersModel(model, join(dir, "run", "model"));
    await rejects(runExport({ model: join(dir, "run", "model") }, () => {}), {
      name: "RangeError",
      message:
        /^The uint8 export misses its targets: size 10\d,\d{3} B, target <= 45,000 B; .*graph_model_uint8 was not written$/,
    });
    deepEqual([...Deno.readDirSync(join(dir, "run"))].map((e) => e.name), ["model"]);
    // A wider model passes its own limit (maxBytes, --max-bytes): checked the same way, and
    // written when it is met.
    await rejects(runExport({ model: join(dir, "run", "model"), maxBytes: 90_000 }, () => {}), {
      name: "RangeError",
      message: /^The uint8 export misses its targets: size 10\d,\d{3} B, target <= 90,000 B; /,
    });
    await rejects(runExport({ model: join(dir, "run", "model"), maxBytes: -1 }, () => {}), {
      name: "RangeError",
      message: "--max-bytes must be a positive number of bytes, got -1",
    });
    deepEqual([...Deno.readDirSync(join(dir, "run"))].map((e) => e.name), ["model"]);
    // Unquantized (agreement 100 %, whatever the untrained weights): about 410 KB.
    await rejects(
      runExport(
        { model: join(dir, "run", "model"), quantize: "none", maxBytes: 300_000 },
        () => {},
      ),
      {
        name: "RangeError",
        message: /^The none export misses its targets: size 4[01]\d,\d{3} B, /,
      },
    );
    const lines: string[] = [];
    const report = await runExport(
      { model: join(dir, "run", "model"), quantize: "none", maxBytes: 500_000 },
      (line) => lines.push(line),
    );
    ok(report.export.totalBytes > 400_000 && report.export.totalBytes <= 500_000);
    match(lines.join("\n"), /total +[\d,]+ B \([\d.]+ KiB\) +target <= 500 KB: met/);
    deepEqual([...Deno.readDirSync(join(dir, "run"))].map((e) => e.name).sort(), [
      "graph_model_none",
      "model",
    ]);
  } finally {
    model.dispose();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runExport() rejects an unknown quantization before touching anything", async () => {
  await rejects(runExport({ model: "no/such/model", quantize: "int4" }, () => {}), {
    name: "RangeError",
    message: 'Unknown --quantize value "int4": expected one of none, float16, uint16, uint8',
  });
  await rejects(runExport({ model: "no/such/model", perLayer: { conv1: "fp8" } }, () => {}), {
    name: "RangeError",
    message: /^Unknown --layer conv1= value "fp8"/,
  });
});

async function runScript(args: string[]): Promise<{ code: number; stderr: string }> {
  const command = new Deno.Command(Deno.execPath(), {
    // The permissions of `deno task export`.
    args: [
      "run",
      "-RWE",
      "--allow-ffi",
      "--allow-sys",
      "--allow-net",
      "scripts/export.ts",
      ...args,
    ],
    stdout: "null",
    stderr: "piped",
  });
  const { code, stderr } = await command.output();
  return { code, stderr: new TextDecoder().decode(stderr) };
}

Deno.test("deno task export exits 1 with one clear line for bad flags and paths", async () => {
  const bad = await runScript(["--model", "no/such/model", "--quantize", "int8"]);
  equal(bad.code, 1);
  match(
    bad.stderr,
    /^Error: Unknown --quantize value "int8": expected one of none, float16, uint16, uint8$/m,
  );
  const missing = await runScript(["--model", "no/such/model"]);
  equal(missing.code, 1);
  match(
    missing.stderr,
    /^Error: No model at no\/such\/model: expected no\/such\/model\/model\.json\. Pass --model DIR/m,
  );
  const layer = await runScript(["--layer", "conv1"]);
  equal(layer.code, 1);
  match(layer.stderr, /^Error: Cannot parse --layer "conv1": expected NAME=QUANT/m);
});
