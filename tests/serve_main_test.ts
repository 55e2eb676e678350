// main.ts as Deno Deploy runs it: a separate `deno run` of the entry point with its configuration in
// environment variables, here without write permission (--deny-write) so that any disk write fails,
// called over HTTP on 127.0.0.1 and stopped with SIGINT as Deploy stops an isolate.
import { equal, ok } from "node:assert/strict";
import { samplePng } from "../src/bench/_sample_images.ts";

const ROOT = decodeURIComponent(new URL("../", import.meta.url).pathname);
const MODEL_DIR = `${ROOT}models/default/`;
const ignore = await Deno.stat(`${MODEL_DIR}model.json`).then(() => false, () => true);

/** Reads the child's stdout until it prints `Listening on http://host:port/`. */
async function listeningUrl(stdout: ReadableStream<Uint8Array>): Promise<string> {
  // A TextDecoder rather than a TextDecoderStream, whose types differ between Deno's library and
  // the DOM's (which src/serve/page/*.js bring into a `deno check` of the whole repository).
  const reader = stdout.getReader();
  const decoder = new TextDecoder();
  let text = "";
  while (true) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`main.ts exited before listening:\n${text}`);
    text += decoder.decode(value, { stream: true });
    const match = /Listening on (http:\/\/[^\s]+)/.exec(text);
    if (match) {
      reader.releaseLock();
      return match[1];
    }
  }
}

Deno.test({
  name: "main.ts serves with its configuration from the environment and writes nothing",
  ignore,
  sanitizeResources: false,
  async fn() {
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-read",
        "--allow-env",
        "--allow-net",
        "--allow-ffi",
        "--allow-sys",
        "--deny-write",
        "main.ts",
      ],
      cwd: ROOT,
      env: { HOST: "127.0.0.1", PORT: "0", MODEL_PATH: MODEL_DIR, MAX_BODY_BYTES: "100000" },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    try {
      const url = await listeningUrl(child.stdout);
      let ready: Response | null = null;
      for (let i = 0; i < 100 && ready?.status !== 200; i++) {
        if (ready !== null) await new Promise((resolve) => setTimeout(resolve, 100));
        await ready?.body?.cancel();
        ready = await fetch(`${url}readyz`);
      }
      equal(ready!.status, 200);
      equal((await ready!.json()).status, "ready");
      const png = await samplePng(7, 64);
      const res = await fetch(`${url}predict`, {
        method: "POST",
        body: png,
        headers: { "content-type": "image/png" },
      });
      equal(res.status, 200);
      equal((await res.json()).digit, 7);
      const big = await fetch(`${url}predict`, {
        method: "POST",
        body: new Uint8Array(200_000),
        headers: { "content-type": "image/png" },
      });
      equal(big.status, 413, "MAX_BODY_BYTES from the environment applies");
      await big.body?.cancel();
    } finally {
      child.kill("SIGINT");
    }
    const status = await child.status;
    const stderr = await new Response(child.stderr).text();
    ok(!/PermissionDenied|NotCapable/.test(stderr), `main.ts tried to write:\n${stderr}`);
    equal(status.code, 0, `main.ts exits cleanly on SIGINT:\n${stderr}`);
  },
});

Deno.test("deno task serve says which model is missing and exits 1", async () => {
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-env",
      "--allow-net",
      "--allow-ffi",
      "--allow-sys",
      "scripts/serve.ts",
      "--port",
      "0",
      "--model",
      "/nonexistent/model",
    ],
    cwd: ROOT,
    stdout: "null",
    stderr: "piped",
  }).output();
  equal(code, 1);
  const text = new TextDecoder().decode(stderr);
  ok(text.includes("No model at /nonexistent/model: expected /nonexistent/model/model.json"), text);
  ok(!/\bat .*:\d+:\d+/.test(text), `no stack trace:\n${text}`);
});
