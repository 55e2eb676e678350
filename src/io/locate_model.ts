import { join } from "node:path";

/** Where a model lives: its `model.json` and how to read files beside it. */
export interface ModelLocation {
  /** The `model.json` path or URL, as given or completed. */
  modelJson: string;
  /** Reads a file named relative to `model.json` (a shard, `metadata.json`; `""` is model.json). */
  read(relative: string): Promise<Uint8Array<ArrayBuffer>>;
  /** Path or URL of a file relative to `model.json`, for messages. */
  resolve(relative: string): string;
}

/**
 * True for `http:` and `https:` URLs.
 *
 * @param pathOrUrl A path or URL.
 * @returns Whether it is fetched rather than read from disk.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { isHttpUrl } from "./locate_model.ts";
 * equal(isHttpUrl("https://example.com/model.json"), true);
 * equal(isHttpUrl("models/default"), false);
 * ```
 */
export function isHttpUrl(pathOrUrl: string): boolean {
  return /^https?:\/\//i.test(pathOrUrl);
}

async function fetchBytes(url: string): Promise<Uint8Array<ArrayBuffer>> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new Deno.errors.NotFound(`Cannot fetch ${url}: ${(error as Error).message}`);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new Deno.errors.NotFound(
      `Cannot fetch ${url}: expected HTTP 200, found ${response.status} ${response.statusText}`,
    );
  }
  return new Uint8Array(await response.arrayBuffer());
}

async function readLocal(path: string): Promise<Uint8Array<ArrayBuffer>> {
  try {
    return await Deno.readFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Deno.errors.NotFound(`Cannot find ${path}: no such file`);
    }
    throw error;
  }
}

/** A local path given as a path or a `file:` URL. */
function localPath(pathOrUrl: string): string {
  return pathOrUrl.startsWith("file:")
    ? decodeURIComponent(new URL(pathOrUrl).pathname)
    : pathOrUrl;
}

/**
 * The one check that a local model exists: the path of its `model.json`, or a
 * `Deno.errors.NotFound` "No model at X: expected X/model.json" with `hint` appended.
 */
async function localModelJson(pathOrUrl: string, hint: string): Promise<string> {
  const path = localPath(pathOrUrl);
  const stat = (p: string) =>
    Deno.stat(p).catch((error) => {
      if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory) {
        return null;
      }
      throw error;
    });
  const info = await stat(path);
  if (info?.isFile) return path; // a model.json under any name; parsing it says if it is one
  const modelJson = join(path, "model.json");
  if (info?.isDirectory && (await stat(modelJson))?.isFile) return modelJson;
  const expected = path.endsWith(".json") && info === null ? "a tfjs model.json file" : modelJson;
  throw new Deno.errors.NotFound(
    `No model at ${pathOrUrl}: expected ${expected}${hint === "" ? "" : `. ${hint}`}`,
  );
}

/**
 * Checks that a model folder or `model.json` exists before anything loads it, so that a fresh
 * clone without a model fails with one clear line instead of a stack from inside tfjs. An http(s)
 * URL is not fetched here (loading it says what is wrong).
 *
 * @param pathOrUrl A model folder, `model.json` path, `file:` URL or http(s) URL.
 * @param hint What to do about it, appended to the message (for example which flag to pass).
 * @throws {Deno.errors.NotFound} "No model at X: expected X/model.json. hint"
 *
 * @example
 * ```ts
 * import { rejects } from "node:assert/strict";
 * import { ensureModelExists } from "./locate_model.ts";
 * await rejects(
 *   ensureModelExists("/nowhere/model", "Pass --model DIR"),
 *   { message: "No model at /nowhere/model: expected /nowhere/model/model.json. Pass --model DIR" },
 * );
 * await ensureModelExists("https://example.com/model.json"); // not fetched
 * ```
 */
export async function ensureModelExists(pathOrUrl: string, hint = ""): Promise<void> {
  if (!isHttpUrl(pathOrUrl)) await localModelJson(pathOrUrl, hint);
}

/**
 * Finds the `model.json` of a model given as a folder, a `model.json` path, a `file:` URL or an
 * http(s) URL (a URL not ending in `.json` is taken as a folder), and how to read the files
 * beside it. A local model is checked by {@linkcode ensureModelExists}.
 *
 * @param pathOrUrl Where the model is.
 * @returns Its location.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { locateModel } from "./locate_model.ts";
 * const location = await locateModel("https://example.com/models/digits");
 * equal(location.modelJson, "https://example.com/models/digits/model.json");
 * equal(location.resolve("group1-shard1of1.bin"), "https://example.com/models/digits/group1-shard1of1.bin");
 * ```
 */
export async function locateModel(pathOrUrl: string): Promise<ModelLocation> {
  if (isHttpUrl(pathOrUrl)) {
    const modelJson = pathOrUrl.endsWith(".json")
      ? pathOrUrl
      : pathOrUrl.replace(/\/?$/, "/model.json");
    const resolve = (relative: string) => new URL(relative, modelJson).href;
    return { modelJson, resolve, read: (relative) => fetchBytes(resolve(relative)) };
  }
  const modelJson = await localModelJson(pathOrUrl, "");
  const dir = modelJson.slice(0, modelJson.length - modelJson.split("/").pop()!.length);
  const resolve = (relative: string) => relative === "" ? modelJson : join(dir || ".", relative);
  return { modelJson, resolve, read: (relative) => readLocal(resolve(relative)) };
}
