import { loadClassifier } from "../model/classifier.ts";
import { createPreprocessPool, preprocessImage } from "../preprocess/mod.ts";
import type { ServiceParts } from "./start_server.ts";

/**
 * The real model loader (`src/model`) and photo pipeline (`src/preprocess`) that `main.ts` and
 * `deno task serve` use.
 *
 * @example
 * ```ts
 * import { SERVICE_PARTS } from "./parts.ts";
 * import { DEFAULT_LIMITS } from "./types.ts";
 * import { equal } from "node:assert/strict";
 * const preprocess = SERVICE_PARTS.makePreprocess(DEFAULT_LIMITS);
 * equal(typeof preprocess, "function");
 * ```
 */
export const SERVICE_PARTS: ServiceParts = {
  loadClassifier: (pathOrUrl) => loadClassifier(pathOrUrl),
  makePreprocess: (limits) => (bytes) => preprocessImage(bytes, { maxPixels: limits.maxPixels }),
  makePreprocessPool: (limits, workers) =>
    createPreprocessPool({ workers, preprocess: { maxPixels: limits.maxPixels } }),
};
