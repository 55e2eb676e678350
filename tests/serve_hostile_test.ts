// The hostile corpus of `deno task bench hostile` (zlib and pixel bombs, damaged files of every
// type, lying content types, animated files, oversized forms, a slow body) through the app with
// the real photo pipeline and model: each case gets one of the statuses and codes it allows. The
// bench measures time and memory; this only checks the answers.
import { equal, ok } from "node:assert/strict";
import { expected, hostileCorpus } from "../src/bench/_hostile_corpus.ts";
import { selectBackend } from "../src/backend/mod.ts";
import { loadClassifier } from "../src/model/classifier.ts";
import { preprocessImage } from "../src/preprocess/mod.ts";
import { createApp } from "../src/serve/create_app.ts";
import { DEFAULT_LIMITS } from "../src/serve/types.ts";

const MODEL_DIR = decodeURIComponent(new URL("../models/default/", import.meta.url).pathname);
const modelPath = await Deno.stat(`${MODEL_DIR}model.json`).then(() => MODEL_DIR, () => null);

Deno.test({
  name: "POST /predict answers every case of the hostile corpus as it allows, with no 5xx",
  ignore: modelPath === null,
  async fn() {
    await selectBackend("wasm");
    const classifier = await loadClassifier(modelPath!);
    const corpus = await hostileCorpus(DEFAULT_LIMITS, 64 << 20);
    const make = (timeoutMs: number) => {
      const app = createApp({
        classifier,
        preprocess: (bytes, options) => preprocessImage(bytes, options),
        limits: { timeoutMs },
      });
      type Init = Parameters<typeof app.request>[1];
      return (req: Request) => Promise.resolve(app.request(req as unknown as string, {} as Init));
    };
    const request = make(60_000);
    const slowRequest = make(100);
    for (const item of corpus) {
      const slow = item.body === "slow";
      const body = slow
        ? new ReadableStream<Uint8Array>({
          start: (c) => c.enqueue(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
        })
        : item.body instanceof FormData
        ? item.body
        : (item.body as Uint8Array<ArrayBuffer>);
      const headers: Record<string, string> = item.type ? { "content-type": item.type } : {};
      const req = new Request("http://localhost/predict", { method: "POST", body, headers });
      const res = await (slow ? slowRequest : request)(req);
      const json = await res.json();
      const code = json?.error?.code ?? "";
      ok(res.status < 500, `${item.name}: ${res.status} ${code}`);
      ok(
        expected(item, res.status, code),
        `${item.name}: got ${res.status} ${code} (${json?.error?.message}), expected ${
          JSON.stringify(item.expect)
        }`,
      );
      if (res.status >= 400) equal(typeof json.error.message, "string");
    }
  },
});
