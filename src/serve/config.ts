import { DEFAULT_LIMITS, type ServeLimits } from "./types.ts";

/** Everything the edge service needs to start. */
export interface ServeConfig {
  /** Interface to listen on. @default {"0.0.0.0"} */
  hostname: string;
  /** Port to listen on (0 picks a free one). @default {8000} */
  port: number;
  /** Model folder, its `model.json`, or an `http(s)://` URL of `model.json`. @default {DEFAULT_MODEL_PATH} */
  modelPath: string;
  /** tfjs backend for inference (`wasm`, `simd`, `cpu`); `cpu` is the fallback. @default {"wasm"} */
  backend: string;
  /** Request limits. @default {DEFAULT_LIMITS} */
  limits: ServeLimits;
  /** Origins allowed by CORS; empty for same-origin only, `["*"]` for any. @default {[]} */
  corsOrigins: string[];
  /** Serve the model's files at `/model/…` for in-browser prediction. @default {true} */
  publishModel: boolean;
  /**
   * Web Workers that run the photo pipeline, so that several photos are worked on at once; 0 runs
   * it on the request thread. @default {defaultWorkers()}
   */
  workers: number;
}

/**
 * Photo-pipeline workers when none are asked for: one per core, at most 4, and none on one core
 * (a worker there only adds a hop).
 *
 * @example
 * ```ts
 * import { defaultWorkers } from "./config.ts";
 * import { ok } from "node:assert/strict";
 * ok(defaultWorkers() >= 0 && defaultWorkers() <= 4);
 * ```
 */
export function defaultWorkers(): number {
  const cores = globalThis.navigator?.hardwareConcurrency ?? 1;
  return cores > 1 ? Math.min(4, cores) : 0;
}

/** The model committed in the repository, used when none is named. */
export const DEFAULT_MODEL_PATH: string = decodeURIComponent(
  new URL("../../models/default/", import.meta.url).pathname,
);

/** The configuration used when no variable or flag says otherwise. */
export function defaultConfig(): ServeConfig {
  return {
    hostname: "0.0.0.0",
    port: 8000,
    modelPath: DEFAULT_MODEL_PATH,
    backend: "wasm",
    limits: { ...DEFAULT_LIMITS, allowedTypes: [...DEFAULT_LIMITS.allowedTypes] },
    corsOrigins: [],
    publishModel: true,
    workers: defaultWorkers(),
  };
}

/**
 * Reads a whole number from a variable or flag `name`; `min` is the least value accepted.
 *
 * @example
 * ```ts
 * import { parseCount } from "./config.ts";
 * import { equal, throws } from "node:assert/strict";
 * equal(parseCount("MAX_FILES", "8", 1), 8);
 * throws(() => parseCount("MAX_FILES", "8x", 1), RangeError);
 * ```
 */
export function parseCount(name: string, text: string, min: number): number {
  const value = Number(text.trim());
  if (text.trim() === "" || !Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`Cannot read ${name}: expected a whole number ≥ ${min}, found "${text}"`);
  }
  return value;
}

const list = (text: string): string[] =>
  text.split(",").map((s) => s.trim()).filter((s) => s !== "");

/** The environment variables {@linkcode configFromEnv} reads, and what each sets. */
export const ENV_VARIABLES: Readonly<Record<string, string>> = Object.freeze({
  HOST: "interface to listen on (default 0.0.0.0)",
  PORT: "port to listen on (default 8000)",
  MODEL_PATH: "model folder, model.json path or http(s) URL (default models/default)",
  BACKEND: "tfjs backend: wasm, simd or cpu (default wasm)",
  MAX_BODY_BYTES: "largest request body in bytes (default 6291456)",
  MAX_PIXELS: "largest image in pixels (default 40000000)",
  MAX_REQUEST_PIXELS: "most pixels in all the images of one request (default 64000000)",
  MAX_FILES: "most files in one multipart request (default 16)",
  MAX_QUEUED: "requests that may wait for the photo pipeline before a 503 (default 32)",
  TIMEOUT_MS: "time limit per request in ms (default 10000)",
  ALLOWED_TYPES: "comma-separated image types (default image/png,image/jpeg,image/webp,image/gif)",
  CORS_ORIGIN: "comma-separated origins allowed by CORS, or * (default: none)",
  PUBLISH_MODEL: "0 to stop serving /model/… (default 1)",
  PREPROCESS_WORKERS: "Web Workers for the photo pipeline, 0 for none (default: cores, at most 4)",
});

/**
 * Builds the configuration from environment variables (see {@linkcode ENV_VARIABLES}); unset or
 * empty variables keep their defaults. Throws a `RangeError` naming the variable when a value
 * cannot be read.
 *
 * @example
 * ```ts
 * import { configFromEnv } from "./config.ts";
 * import { deepEqual, equal } from "node:assert/strict";
 * const config = configFromEnv({ PORT: "9000", CORS_ORIGIN: "https://a.example, https://b.example" });
 * equal(config.port, 9000);
 * deepEqual(config.corsOrigins, ["https://a.example", "https://b.example"]);
 * ```
 */
export function configFromEnv(env: Record<string, string | undefined>): ServeConfig {
  const config = defaultConfig();
  const get = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === "" ? undefined : value;
  };
  const host = get("HOST");
  if (host !== undefined) config.hostname = host;
  const port = get("PORT");
  if (port !== undefined) config.port = parseCount("PORT", port, 0);
  config.modelPath = get("MODEL_PATH") ?? config.modelPath;
  config.backend = get("BACKEND") ?? config.backend;
  const limits = config.limits;
  const numbers: [string, keyof ServeLimits][] = [
    ["MAX_BODY_BYTES", "maxBodyBytes"],
    ["MAX_PIXELS", "maxPixels"],
    ["MAX_REQUEST_PIXELS", "maxRequestPixels"],
    ["MAX_FILES", "maxFiles"],
    ["MAX_QUEUED", "maxQueued"],
    ["TIMEOUT_MS", "timeoutMs"],
  ];
  for (const [name, key] of numbers) {
    const value = get(name);
    if (value !== undefined) (limits[key] as number) = parseCount(name, value, 1);
  }
  const workers = get("PREPROCESS_WORKERS");
  if (workers !== undefined) config.workers = parseCount("PREPROCESS_WORKERS", workers, 0);
  const types = get("ALLOWED_TYPES");
  if (types !== undefined) limits.allowedTypes = list(types).map((t) => t.toLowerCase());
  const cors = get("CORS_ORIGIN");
  if (cors !== undefined) config.corsOrigins = list(cors);
  const publish = get("PUBLISH_MODEL");
  if (publish !== undefined) {
    if (!["0", "1", "false", "true"].includes(publish)) {
      throw new RangeError(`Cannot read PUBLISH_MODEL: expected 0 or 1, found "${publish}"`);
    }
    config.publishModel = publish === "1" || publish === "true";
  }
  return config;
}
