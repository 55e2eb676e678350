// The error contract of the edge service: every failure is JSON { error: { code, message } } with
// the right status, and bad input never reaches the photo pipeline or the model. These tests stop
// before the pipeline, or give the app a pipeline that fails in a known way, so they need no model.
import { deepEqual, equal, match, ok } from "node:assert/strict";
import { createApp } from "../src/serve/create_app.ts";
import type { AppOptions } from "../src/serve/create_app.ts";
import type { PreprocessFn } from "../src/serve/types.ts";
import type { Classifier } from "../src/model/mod.ts";

const unusedClassifier: Classifier = {
  predict: () => Promise.reject(new Error("The model must not run for bad input")),
};
const unusedPreprocess: PreprocessFn = () =>
  Promise.reject(new Error("The pipeline must not run for bad input"));

/** The app's `request`, taking the standard `RequestInit` (under Deno 2.5 Hono's types see Node's). */
interface TestApp {
  request(input: string | Request, init?: RequestInit): Promise<Response>;
}

function app(options: Partial<AppOptions> = {}): TestApp {
  const hono = createApp({
    classifier: unusedClassifier,
    preprocess: unusedPreprocess,
    ...options,
  });
  type Init = Parameters<typeof hono.request>[1];
  return {
    request: (input, init) => Promise.resolve(hono.request(input as string, init as Init)),
  };
}

/** The first 33 bytes of a PNG of `width × height`: enough for its header. */
function pngHeader(width: number, height: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(33);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  const view = new DataView(bytes.buffer);
  view.setUint32(16, width);
  view.setUint32(20, height);
  bytes.set([8, 0, 0, 0, 0], 24);
  return bytes;
}

async function expectError(res: Response, status: number, code: string): Promise<string> {
  equal(res.status, status);
  match(res.headers.get("content-type") ?? "", /^application\/json/);
  const body = await res.json();
  deepEqual(Object.keys(body), ["error"]);
  equal(body.error.code, code);
  equal(typeof body.error.message, "string");
  ok(!/\bat .*:\d+:\d+/.test(body.error.message), `stack trace in "${body.error.message}"`);
  return body.error.message;
}

const post = (body: BodyInit | null, type?: string, init: RequestInit = {}): RequestInit => ({
  method: "POST",
  body,
  headers: type === undefined ? {} : { "content-type": type },
  ...init,
});

Deno.test("POST /predict refuses an SVG body with 415", async () => {
  const svg = '<svg xmlns="http://www.w3.org/2000/svg"><text>7</text></svg>';
  const message = await expectError(
    await app().request("/predict", post(svg, "image/svg+xml")),
    415,
    "unsupported_media_type",
  );
  match(message, /PNG, JPEG, WebP or GIF/);
});

Deno.test("POST /predict refuses text and a missing Content-Type with 415", async () => {
  await expectError(
    await app().request("/predict", post("7", "text/plain")),
    415,
    "unsupported_media_type",
  );
  const res = await app().request("/predict", { method: "POST", body: new Uint8Array([1, 2]) });
  await expectError(res, 415, "unsupported_media_type");
});

Deno.test("POST /predict refuses a GIF when only PNG is allowed with 415", async () => {
  const gif = new TextEncoder().encode("GIF89a\x10\x00\x10\x00");
  const limited = app({ limits: { allowedTypes: ["image/png"] } });
  const message = await expectError(
    await limited.request("/predict", post(gif, "image/gif")),
    415,
    "unsupported_media_type",
  );
  match(message, /image\/gif/);
});

Deno.test("POST /predict refuses a body over the size limit with 413", async () => {
  const small = app({ limits: { maxBodyBytes: 1000 } });
  const big = new Uint8Array(5000);
  big.set(pngHeader(10, 10));
  await expectError(
    await small.request("/predict", post(big, "image/png")),
    413,
    "payload_too_large",
  );
  // Streamed without Content-Length, the limit is enforced while reading.
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < 5; i++) controller.enqueue(big.subarray(i * 1000, (i + 1) * 1000));
      controller.close();
    },
  });
  const req = new Request("http://localhost/predict", {
    method: "POST",
    body: stream,
    headers: { "content-type": "image/png" },
  });
  await expectError(await small.request(req), 413, "payload_too_large");
});

Deno.test("POST /predict refuses an image over the pixel limit with 413 before decoding", async () => {
  const message = await expectError(
    await app({ limits: { maxPixels: 1_000_000 } }).request(
      "/predict",
      post(pngHeader(2000, 1000), "image/png"),
    ),
    413,
    "too_many_pixels",
  );
  match(message, /2000×1000 = 2000000 pixels: expected at most 1000000/);
});

Deno.test("POST /predict answers 400 for an empty body and an unreadable header", async () => {
  await expectError(
    await app().request("/predict", post(new Uint8Array(0), "image/png")),
    400,
    "bad_request",
  );
  const truncatedJpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0]);
  await expectError(
    await app().request("/predict", post(truncatedJpeg, "image/jpeg")),
    400,
    "bad_request",
  );
});

Deno.test("POST /predict answers 400 for forms without an image file", async () => {
  const noField = new FormData();
  noField.append("picture", new Blob([pngHeader(10, 10)]), "a.png");
  match(
    await expectError(await app().request("/predict", post(noField)), 400, "bad_request"),
    /no "image" field/,
  );
  const text = new FormData();
  text.append("image", "not a file");
  await expectError(await app().request("/predict", post(text)), 400, "bad_request");
  const broken = post(
    '--xyz\r\nContent-Disposition: form-data; name="image"\r\n',
    "multipart/form-data; boundary=xyz",
  );
  await expectError(await app().request("/predict", broken), 400, "bad_request");
});

Deno.test("POST /predict refuses more files than the limit with 413", async () => {
  const form = new FormData();
  for (let i = 0; i < 3; i++) form.append("image", new Blob([pngHeader(10, 10)]), `${i}.png`);
  await expectError(
    await app({ limits: { maxFiles: 2 } }).request("/predict", post(form)),
    413,
    "too_many_files",
  );
});

Deno.test("POST /predict answers 400 when the pipeline cannot decode an image", async () => {
  const preprocess: PreprocessFn = () =>
    Promise.reject(new Error("VipsPngload: libspng read error\n  at x.js:1:2"));
  const message = await expectError(
    await app({ preprocess }).request("/predict", post(pngHeader(10, 10), "image/png")),
    400,
    "invalid_image",
  );
  ok(!message.includes("libspng"), "an untyped error's text stays on the server");
});

Deno.test("POST /predict answers 422 when the pipeline finds no digit", async () => {
  const preprocess: PreprocessFn = () =>
    Promise.resolve({ input: null, reason: "the image is blank" });
  const message = await expectError(
    await app({ preprocess }).request("/predict", post(pngHeader(10, 10), "image/png")),
    422,
    "no_digit_found",
  );
  match(message, /the image is blank/);
});

Deno.test("POST /predict hides a failing model behind a plain 500", async () => {
  const preprocess: PreprocessFn = () => Promise.resolve({ input: new Float32Array(784) });
  const classifier: Classifier = {
    predict: () => Promise.reject(new Error("secret internals")),
  };
  const original = console.error;
  console.error = () => {};
  try {
    const res = await app({ preprocess, classifier }).request(
      "/predict",
      post(pngHeader(10, 10), "image/png"),
    );
    const message = await expectError(res, 500, "internal");
    ok(!message.includes("secret"));
  } finally {
    console.error = original;
  }
});

Deno.test("POST /predict answers 504 past the time limit and aborts the pipeline's signal", async () => {
  let release = () => {};
  let seen: AbortSignal | undefined;
  const preprocess: PreprocessFn = (_bytes, options) => {
    seen = options?.signal;
    return new Promise((resolve) => (release = () => resolve({ input: null })));
  };
  const res = await app({ preprocess, limits: { timeoutMs: 20 } }).request(
    "/predict",
    post(pngHeader(10, 10), "image/png"),
  );
  release();
  await expectError(res, 504, "timeout");
  equal(seen?.aborted, true);
});

Deno.test("POST /predict answers 408 to a body that arrives too slowly", async () => {
  let cancelled = false;
  const slow = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(pngHeader(10, 10).subarray(0, 8)); // and then nothing more
    },
    cancel() {
      cancelled = true;
    },
  });
  const req = new Request("http://localhost/predict", {
    method: "POST",
    body: slow,
    headers: { "content-type": "image/png" },
  });
  const message = await expectError(
    await app({ limits: { timeoutMs: 30 } }).request(req),
    408,
    "request_timeout",
  );
  match(message, /did not arrive within 30 ms/);
  ok(cancelled, "the body's stream was cancelled");
});

Deno.test("POST /predict queues past its concurrency and refuses past the queue with 503 and Retry-After", async () => {
  const waiting: Array<() => void> = [];
  const preprocess: PreprocessFn = () =>
    new Promise((resolve) => waiting.push(() => resolve({ input: null, reason: "blank" })));
  const busy = app({ preprocess, concurrency: 1, limits: { maxQueued: 1 } });
  const send = () => busy.request("/predict", post(pngHeader(10, 10), "image/png"));
  const first = send();
  const second = send();
  await new Promise((resolve) => setTimeout(resolve, 10));
  const third = await send();
  await expectError(third, 503, "overloaded");
  equal(third.headers.get("retry-after"), "1");
  equal(waiting.length, 1, "only the first request reached the pipeline");
  waiting.shift()!();
  await expectError(await first, 422, "no_digit_found");
  await new Promise((resolve) => setTimeout(resolve, 10));
  equal(waiting.length, 1, "the queued request ran once the first left");
  waiting.shift()!();
  await expectError(await second, 422, "no_digit_found");
});

Deno.test("POST /predict admits requests of small images apart from the pipeline's concurrency", async () => {
  const waiting: Array<() => void> = [];
  const preprocess: PreprocessFn = () =>
    new Promise((resolve) => waiting.push(() => resolve({ input: null, reason: "blank" })));
  const busy = app({
    preprocess,
    concurrency: 1,
    smallImagePixels: 16 * 16,
    smallConcurrency: 2,
    limits: { maxQueued: 0 },
  });
  const send = (side: number) => busy.request("/predict", post(pngHeader(side, side), "image/png"));
  const large = send(20);
  const small = [send(16), send(10)];
  await new Promise((resolve) => setTimeout(resolve, 10));
  equal(waiting.length, 3, "both small requests run beside the large one");
  await expectError(await send(12), 503, "overloaded");
  await expectError(await send(20), 503, "overloaded");
  for (const go of waiting.splice(0)) go();
  for (const res of [await large, ...(await Promise.all(small))]) {
    await expectError(res, 422, "no_digit_found");
  }
});

Deno.test("POST /predict stops the pipeline when the client goes away, and logs nothing", async () => {
  let seen: AbortSignal | undefined;
  const preprocess: PreprocessFn = (_bytes, options) => {
    seen = options?.signal;
    return new Promise(() => {});
  };
  const logged: unknown[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => logged.push(args);
  try {
    const client = new AbortController();
    const req = new Request("http://localhost/predict", {
      ...post(pngHeader(10, 10), "image/png"),
      signal: client.signal,
    });
    const answer = app({ preprocess }).request(req);
    await new Promise((resolve) => setTimeout(resolve, 10));
    client.abort();
    const res = await answer;
    equal(res.status, 400);
    equal(seen?.aborted, true);
    deepEqual(logged, []);
  } finally {
    console.error = original;
  }
});

Deno.test("POST /predict refuses a GIF whose frame is larger than its screen with 413", async () => {
  const gif = new Uint8Array([
    ...new TextEncoder().encode("GIF89a"),
    ...[16, 0, 16, 0, 0, 0, 0],
    ...[0x2c, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 2, 0, 0x3b],
  ]);
  const message = await expectError(
    await app().request("/predict", post(gif, "image/gif")),
    413,
    "too_many_pixels",
  );
  match(message, /65535×65535/);
});

Deno.test("POST /predict refuses more pixels in one request than its budget with 413", async () => {
  const form = new FormData();
  for (let i = 0; i < 3; i++) form.append("image", new Blob([pngHeader(100, 100)]), `${i}.png`);
  const message = await expectError(
    await app({ limits: { maxRequestPixels: 25_000 } }).request("/predict", post(form)),
    413,
    "too_many_pixels",
  );
  match(message, /first 3 images hold 30000 pixels: expected at most 25000/);
});

Deno.test("POST /predict describes damaged images in its own words, without the decoder's", async () => {
  const { preprocessImage } = await import("../src/preprocess/mod.ts");
  const sharp = (await import("sharp")).default;
  const photo = sharp({ create: { width: 300, height: 200, channels: 3, background: "#eee" } });
  const cases: [string, Uint8Array][] = [
    ["image/jpeg", new Uint8Array(await photo.clone().jpeg().toBuffer())],
    ["image/png", new Uint8Array(await photo.clone().png({ compressionLevel: 0 }).toBuffer())],
    ["image/gif", new Uint8Array(await photo.clone().gif().toBuffer())],
    ["image/webp", new Uint8Array(await photo.clone().webp().toBuffer())],
  ];
  const real = app({ preprocess: (bytes, options) => preprocessImage(bytes, options) });
  for (const [type, bytes] of cases) {
    const truncated = bytes.slice(0, Math.floor(bytes.length * 0.6));
    const res = await real.request("/predict", post(truncated, type));
    const message = await expectError(res, 400, "invalid_image");
    ok(!/vips|gifload|libpng|libspng|webp:|premature|source data/i.test(message), message);
    ok(!message.includes("/"), `a path in "${message}"`);
  }
});

Deno.test("GET /readyz and POST /predict answer 503 when the model failed to load", async () => {
  const original = console.error;
  console.error = () => {};
  try {
    const failed = app({
      classifier: Promise.reject(new Error("No model at /srv/secret/models/x/model.json")),
    });
    await new Promise((resolve) => setTimeout(resolve, 0));
    const message = await expectError(await failed.request("/readyz"), 503, "not_ready");
    ok(!message.includes("/srv/secret"), message);
    const preprocess: PreprocessFn = () => Promise.resolve({ input: new Float32Array(784) });
    const res = await app({ classifier: Promise.reject(new Error("x")), preprocess }).request(
      "/predict",
      post(pngHeader(10, 10), "image/png"),
    );
    await expectError(res, 503, "not_ready");
  } finally {
    console.error = original;
  }
});

Deno.test("Unknown routes answer 404 and GET /predict 405, both as JSON", async () => {
  await expectError(await app().request("/nope"), 404, "not_found");
  const res = await app().request("/predict");
  await expectError(res, 405, "method_not_allowed");
  equal(res.headers.get("allow"), "POST");
  await expectError(await app().request("/model/model.json"), 404, "not_found");
});

Deno.test("CORS headers appear only for the configured origins", async () => {
  const preflight = {
    method: "OPTIONS",
    headers: { origin: "https://a.example", "access-control-request-method": "POST" },
  };
  const open = app({ corsOrigins: ["https://a.example"] });
  equal(
    (await open.request("/predict", preflight)).headers.get("access-control-allow-origin"),
    "https://a.example",
  );
  const other = { ...preflight, headers: { ...preflight.headers, origin: "https://evil.example" } };
  equal((await open.request("/predict", other)).headers.get("access-control-allow-origin"), null);
  equal(
    (await app().request("/predict", preflight)).headers.get("access-control-allow-origin"),
    null,
  );
});
