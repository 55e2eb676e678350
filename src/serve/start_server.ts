import type { Hono } from "hono";
import { ensureModelExists } from "../io/mod.ts";
import { selectBackend } from "../backend/mod.ts";
import { type Classifier, loadClassifier } from "../model/classifier.ts";
import { createPreprocessPool } from "../preprocess/mod.ts";
import { createApp } from "./create_app.ts";
import { createIdleTrim } from "./_idle_trim.ts";
import { batchPredictions } from "./_batcher.ts";
import type { ServeConfig } from "./config.ts";

/** A built service: the app, and the model that becomes ready once per isolate. */
export interface Service {
  /** The Hono app; its `fetch` is what `Deno.serve` runs. */
  app: Hono;
  /** Resolves once the backend is up and the model loaded; rejects if either fails. */
  ready: Promise<Classifier>;
  /** What `/readyz` shows: `backend` and `model` (filled in as they become known). */
  info: Record<string, string>;
  /** Stops the photo pipeline's workers, if any (they start again on the next request). */
  close(): void;
}

/**
 * Images this small (a 128×128 drawing) are read on the request thread, not a worker: measured
 * with the whole reading in the pool (2 workers, 8 requests at once, 2 cores), a 64 px PNG cost
 * 2.9 CPU ms a request in-thread against 4.8-5.4 on a worker, a 128 px PNG 6.5-7.6 against
 * 9.0-10.6; at 256 px the hand-off costs 2 ms of 14-16 and the worker keeps the request thread free.
 */
const SMALL_IMAGE_PIXELS = 128 * 128;

/**
 * Requests of small images read at once: their model calls go in one batch (with 8 connections
 * sending a 64 px PNG, 2 at once gave a batch every 2 requests and 3.3 CPU ms a request; 8 at once,
 * 2.2-2.8 CPU ms).
 */
const SMALL_CONCURRENCY = 8;

const isUrl = (s: string): boolean => /^https?:\/\//i.test(s);

/** What a server without its model should do about it. */
const MISSING_MODEL_HINT = "Export one (deno task export) or pass --model / MODEL_PATH";

/**
 * The name `/readyz` shows for a model: its folder's name (never its path on the server's disk,
 * nor a URL's host or query).
 *
 * @example
 * ```ts
 * import { modelName } from "./start_server.ts";
 * import { equal } from "node:assert/strict";
 * equal(modelName("/srv/app/models/default/"), "default");
 * equal(modelName("https://cdn.example/m/v3/model.json?token=x"), "v3");
 * ```
 */
export function modelName(modelPath: string): string {
  const path = isUrl(modelPath) ? new URL(modelPath).pathname : modelPath;
  const parts = path.split(/[\\/]+/).filter((p) => p !== "");
  if (parts.at(-1)?.endsWith(".json")) parts.pop();
  return parts.at(-1) ?? "model";
}

/** Starts the requested backend, falling back to `cpu` (which always works) with a warning. */
async function startBackend(requested: string): Promise<string> {
  try {
    return (await selectBackend(requested)).name;
  } catch (error) {
    if (requested === "cpu") throw error;
    const why = error instanceof Error ? error.message : String(error);
    console.warn(`Backend ${requested} is not available here (${why}): using cpu`);
    return (await selectBackend("cpu")).name;
  }
}

/**
 * Builds the service from a configuration: the app answers at once, while the backend starts and
 * the model loads in the background (`/readyz` says when; `/predict` waits for it). Nothing is
 * written to disk.
 *
 * @example
 * ```ts ignore
 * import { configFromEnv, createService } from "./mod.ts";
 * const service = createService(configFromEnv(Deno.env.toObject()));
 * await service.ready;
 * Deno.serve(service.app.fetch);
 * ```
 */
export function createService(config: ServeConfig): Service {
  const info: Record<string, string> = { model: modelName(config.modelPath), backend: "starting" };
  const ready = (async () => {
    await ensureModelExists(config.modelPath, MISSING_MODEL_HINT);
    info.backend = await startBackend(config.backend);
    // Requests that are ready together share one run of the model.
    return batchPredictions(await loadClassifier(config.modelPath));
  })();
  // With 0 workers the pool runs the pipeline on this thread.
  const pool = createPreprocessPool({
    workers: config.workers,
    preprocess: { maxPixels: config.limits.maxPixels },
    inThreadPixels: SMALL_IMAGE_PIXELS,
  });
  const app = createApp({
    classifier: ready,
    preprocess: (bytes, options) => pool.preprocess(bytes, options),
    read: (bytes, classifier, options) => pool.read(bytes, classifier, options),
    limits: config.limits,
    corsOrigins: config.corsOrigins,
    modelFiles: config.publishModel ? config.modelPath : null,
    info,
    concurrency: Math.max(1, config.workers),
    smallImagePixels: SMALL_IMAGE_PIXELS,
    smallConcurrency: SMALL_CONCURRENCY,
  });
  return { app, ready, info, close: () => pool.close() };
}

/** Options for {@linkcode startServer}. */
export interface StartServerOptions {
  /** Load the model before listening, so that a broken model stops the start. @default {true} */
  waitForModel?: boolean;
  /** Called once listening; the default prints `Listening on http://host:port/`. */
  onListen?: (addr: Deno.NetAddr) => void;
  /** Stops the server when aborted. */
  signal?: AbortSignal;
}

/**
 * Builds the service and serves it with `Deno.serve`, exactly as Deno Deploy runs `main.ts`.
 *
 * @example
 * ```ts ignore
 * import { configFromEnv, startServer } from "./mod.ts";
 * const server = await startServer(configFromEnv(Deno.env.toObject()));
 * await server.finished;
 * ```
 */
export async function startServer(
  config: ServeConfig,
  options: StartServerOptions = {},
): Promise<Deno.HttpServer<Deno.NetAddr>> {
  const { waitForModel = true, signal } = options;
  const service = createService(config);
  if (waitForModel) await service.ready;
  else service.ready.catch(() => {}); // reported by /readyz and the log
  const onListen = options.onListen ??
    ((addr: Deno.NetAddr) => console.log(`Listening on http://${addr.hostname}:${addr.port}/`));
  const trim = createIdleTrim(1_000, 1_000, 1_000);
  const server = Deno.serve(
    { hostname: config.hostname, port: config.port, onListen, signal },
    async function serve(request, info) {
      trim.begin();
      try {
        return await service.app.fetch(request, info);
      } finally {
        trim.end();
      }
    },
  );
  server.finished.finally(() => {
    trim.close();
    service.close();
  });
  return server;
}
