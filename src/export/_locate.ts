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

/** True for `http:` and `https:` URLs. */
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

/**
 * Finds the `model.json` of a model given as a folder, a `model.json` path, a `file:` URL or an
 * http(s) URL (a URL not ending in `.json` is taken as a folder).
 */
export async function locateModel(pathOrUrl: string): Promise<ModelLocation> {
  if (isHttpUrl(pathOrUrl)) {
    const modelJson = pathOrUrl.endsWith(".json")
      ? pathOrUrl
      : pathOrUrl.replace(/\/?$/, "/model.json");
    const resolve = (relative: string) => new URL(relative, modelJson).href;
    return { modelJson, resolve, read: (relative) => fetchBytes(resolve(relative)) };
  }
  const path = pathOrUrl.startsWith("file:")
    ? decodeURIComponent(new URL(pathOrUrl).pathname)
    : pathOrUrl;
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    throw new Deno.errors.NotFound(
      `Cannot find a model at ${pathOrUrl}: expected a folder holding model.json or a model.json file`,
    );
  }
  const modelJson = info.isDirectory ? join(path, "model.json") : path;
  if (info.isDirectory && !(await Deno.stat(modelJson).then((i) => i.isFile, () => false))) {
    throw new Deno.errors.NotFound(
      `Cannot find a model at ${pathOrUrl}: the folder holds no model.json`,
    );
  }
  const dir = modelJson.slice(0, modelJson.length - modelJson.split("/").pop()!.length);
  const resolve = (relative: string) => relative === "" ? modelJson : join(dir || ".", relative);
  return { modelJson, resolve, read: (relative) => readLocal(resolve(relative)) };
}
