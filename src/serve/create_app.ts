import { type Context, Hono } from "hono";
import { cors } from "hono/cors";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { createAdmission } from "./_admission.ts";
import { isCancellation, readBody, requestDeadline, untilAborted } from "./_deadline.ts";
import { ApiError, codeForStatus, errorBody } from "./_errors.ts";
import { PAGE_ROUTES, pageFile } from "./_page.ts";
import type { Classifier } from "../model/classifier.ts";
import { releaseBytes } from "../preprocess/mod.ts";
import { predictImages } from "./_predict.ts";
import { checkContentType, readRequestImages } from "./_read_images.ts";
import { ModelFiles, tfjsBrowserBundle } from "./_static.ts";
import { DEFAULT_LIMITS, type PreprocessFn, type ReadFn, type ServeLimits } from "./types.ts";

/** Options for {@linkcode createApp}. */
export interface AppOptions {
  /** The model, or the promise of it while it loads (`/readyz` answers 503 until it resolves). */
  classifier: Classifier | Promise<Classifier>;
  /** The photo pipeline: image file bytes to the model's 28×28 input. */
  preprocess: PreprocessFn;
  /**
   * The whole reading of one image (pipeline, number reader and model, one decode); when given,
   * `POST /predict` uses it instead of `preprocess` followed by the number reader.
   */
  read?: ReadFn;
  /** Request limits; missing fields take {@linkcode DEFAULT_LIMITS}. */
  limits?: Partial<ServeLimits>;
  /** Origins allowed to call the API from other sites (`"*"` for any). @default {[]} (same origin only) */
  corsOrigins?: string[];
  /** Folder, `model.json` path or URL that `GET /model/…` serves, for in-browser prediction. @default {null} */
  modelFiles?: string | null;
  /** Facts shown by `GET /readyz`, such as the backend and model in use. @default {{}} */
  info?: Record<string, string>;
  /** Most classes listed in `top` unless the request asks (`?top=10`). @default {3} */
  top?: number;
  /**
   * Requests that run the photo pipeline at once (the workers of a pool, or 1 in-thread); up to
   * `limits.maxQueued` more wait in order, and the rest get a 503 with `Retry-After`. @default {2}
   */
  concurrency?: number;
  /**
   * Requests whose every image has at most this many pixels (by its header) are read on the
   * calling thread, not by a worker: they are admitted apart from `concurrency`, up to
   * `smallConcurrency` at once, so that those read together share one run of the model (the
   * reading of a small image is synchronous up to its model call). @default {0} (none)
   */
  smallImagePixels?: number;
  /**
   * Requests of small images (`smallImagePixels`) that run at once; up to `limits.maxQueued` more
   * wait in order, and the rest get a 503 with `Retry-After`. @default {8}
   */
  smallConcurrency?: number;
}

type ModelState =
  | { state: "loading" }
  | { state: "ready"; classifier: Classifier }
  | { state: "failed" };

function trackModel(classifier: Classifier | Promise<Classifier>): {
  current: () => ModelState;
  ready: Promise<Classifier>;
} {
  let state: ModelState = { state: "loading" };
  const ready = Promise.resolve(classifier);
  ready.then(
    (c) => (state = { state: "ready", classifier: c }),
    (e) => {
      const message = e instanceof Error ? e.message : String(e);
      console.error(`Model failed to load: ${message}`);
      state = { state: "failed" };
    },
  );
  return { current: () => state, ready };
}

/** The model once loaded; a 503 `not_ready` if it failed. */
async function readyModel(model: ReturnType<typeof trackModel>): Promise<Classifier> {
  const state = model.current();
  if (state.state === "ready") return state.classifier;
  const unavailable = () => new ApiError(503, "not_ready", "The model is not available", 5);
  if (state.state === "failed") throw unavailable();
  return await model.ready.catch(() => {
    throw unavailable();
  });
}

function errorResponse(c: Context, error: Error): Response {
  if (error instanceof ApiError) {
    if (error.retryAfter !== undefined) c.header("retry-after", String(error.retryAfter));
    return c.json(errorBody(error.code, error.message), error.status);
  }
  if (isCancellation(error)) {
    return c.json(errorBody("cancelled", "The request was stopped before its answer"), 400);
  }
  if (error instanceof HTTPException) {
    const status = error.status as ContentfulStatusCode;
    const message = error.message || (status === 413 ? "Payload too large" : "Request failed");
    return c.json(errorBody(codeForStatus(status), message), status);
  }
  console.error(`${c.req.method} ${c.req.path} failed:`, error);
  return c.json(errorBody("internal", "Internal error: the request could not be completed"), 500);
}

/**
 * Builds the edge service: `POST /predict` (multipart field `image`, one or more files, or a raw
 * image body), `GET /healthz`, `GET /readyz`, `GET /` (a page to upload, photograph or draw a
 * digit), `GET /model/…` (the model for in-browser prediction) and `GET /vendor/tf.min.js`.
 * Every error is JSON `{ error: { code, message } }`.
 *
 * @example
 * ```ts
 * import { createApp } from "./create_app.ts";
 * import { equal } from "node:assert/strict";
 * const classifier = {
 *   predict: (_batch: Float32Array, n: number) =>
 *     Promise.resolve(new Float32Array(n * 10).fill(0.1)),
 * };
 * const app = createApp({ classifier, preprocess: () => Promise.resolve({ input: null }) });
 * equal((await app.request("/healthz")).status, 200);
 * const res = await app.request("/predict", { method: "POST", body: "<svg/>",
 *   headers: { "content-type": "image/svg+xml" } });
 * equal(res.status, 415);
 * equal((await res.json()).error.code, "unsupported_media_type");
 * ```
 */
export function createApp(options: AppOptions): Hono {
  const limits: ServeLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const model = trackModel(options.classifier);
  const modelFiles = options.modelFiles ? new ModelFiles(options.modelFiles) : null;
  const defaultTop = options.top ?? 3;
  const app = new Hono();

  app.onError((error, c) => errorResponse(c, error));
  app.notFound((c) =>
    c.json(errorBody("not_found", `No route for ${c.req.method} ${c.req.path}`), 404)
  );
  const origins = options.corsOrigins ?? [];
  if (origins.length > 0) {
    app.use("*", cors({ origin: origins.includes("*") ? "*" : origins, maxAge: 600 }));
  }

  for (const route of PAGE_ROUTES) {
    app.get(route, async (c) => {
      const { body, type } = await pageFile(route);
      c.header("content-type", type);
      c.header("cache-control", "no-cache");
      return c.body(body);
    });
  }
  app.get("/favicon.ico", (c) => c.body(null, 204));
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", (c) => {
    const state = model.current();
    if (state.state === "ready") return c.json({ status: "ready", ...options.info });
    // The failure's own message may name files on the server's disk: it goes to the log only.
    const message = state.state === "loading"
      ? "The model is still loading"
      : "The model failed to load: the server's log says why";
    c.header("retry-after", "5");
    return c.json(errorBody("not_ready", message), 503);
  });

  const admission = createAdmission(Math.max(1, options.concurrency ?? 2), limits.maxQueued);
  const smallPixels = options.smallImagePixels ?? 0;
  const smallAdmission = createAdmission(
    Math.max(1, options.smallConcurrency ?? 8),
    limits.maxQueued,
  );
  app.post("/predict", async function predict(c) {
    const contentType = c.req.header("content-type") ?? "";
    checkContentType(contentType);
    const deadline = requestDeadline(c.req.raw.signal, limits.timeoutMs);
    const { signal } = deadline;
    // What the request holds, up to the body limit twice over (a form's files are copies), and
    // the work that reads it: freed once that work has settled.
    const held: Uint8Array[] = [];
    let work: Promise<unknown> = Promise.resolve();
    try {
      const body = await readBody(c.req.raw, limits.maxBodyBytes, signal);
      held.push(body);
      deadline.bodyRead();
      const { images, multipart } = await readRequestImages(body, contentType, limits);
      held.push(...images.map((image) => image.bytes));
      const classifier = await untilAborted(readyModel(model), signal);
      // Checked images have a size: a request of small images only waits for small ones.
      const small = images.every((image) => image.info.width! * image.info.height! <= smallPixels);
      const leave = await (small ? smallAdmission : admission).enter(signal);
      try {
        const top = Number.parseInt(c.req.query("top") ?? "", 10);
        const predicted = predictImages(images, classifier, {
          preprocess: options.preprocess,
          read: options.read,
          topK: Number.isFinite(top) ? top : defaultTop,
          signal,
          withInput: ["1", "true"].includes(c.req.query("input") ?? ""),
          maxPixels: limits.maxPixels,
        });
        work = predicted;
        const results = await untilAborted(predicted, signal);
        return c.json(multipart && results.length > 1 ? results : results[0]);
      } finally {
        leave();
      }
    } finally {
      deadline.dispose();
      work.then(() => releaseBytes(...held), () => releaseBytes(...held));
    }
  });
  app.all("/predict", (c) => {
    c.header("allow", "POST");
    return c.json(errorBody("method_not_allowed", `${c.req.method} /predict: expected POST`), 405);
  });

  app.get("/model/:name", async (c) => {
    const res = modelFiles === null ? null : await modelFiles.respond(c.req.param("name"));
    return res ?? c.json(errorBody("not_found", `No model file "${c.req.param("name")}"`), 404);
  });
  app.get("/vendor/tf.min.js", async (c) => {
    c.header("content-type", "text/javascript; charset=utf-8");
    c.header("cache-control", "public, max-age=86400");
    return c.body(await tfjsBrowserBundle() as Uint8Array<ArrayBuffer>);
  });
  return app;
}
