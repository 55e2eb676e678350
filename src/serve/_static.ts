import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const isUrl = (s: string): boolean => /^https?:\/\//i.test(s);

interface ModelJson {
  weightsManifest?: { paths?: string[] }[];
}

/** Where `GET /model/…` finds the model's files, and which names it may serve. */
export class ModelFiles {
  #base: string;
  #names: Promise<Set<string>> | null = null;

  /** `source` is a model folder, its `model.json`, or an `http(s)://` URL of `model.json`. */
  constructor(source: string) {
    this.#base = source.endsWith("model.json") ? source.slice(0, -"model.json".length) : source;
    if (!this.#base.endsWith("/")) this.#base += "/";
  }

  /** Only `model.json` and the weight files its manifest names: no other path can be read. */
  #allowed(): Promise<Set<string>> {
    this.#names ??= (async () => {
      const json: ModelJson = JSON.parse(await Deno.readTextFile(join(this.#base, "model.json")));
      const paths = (json.weightsManifest ?? []).flatMap((group) => group.paths ?? []);
      return new Set(["model.json", ...paths]);
    })();
    return this.#names;
  }

  /** The response for `/model/<name>`, or `null` when there is no such file. */
  async respond(name: string): Promise<Response | null> {
    if (isUrl(this.#base)) {
      return Response.redirect(new URL(name, this.#base).href, 302);
    }
    let allowed: Set<string>;
    try {
      allowed = await this.#allowed();
    } catch {
      this.#names = null;
      return null;
    }
    if (!allowed.has(name)) return null;
    const body = await Deno.readFile(join(this.#base, name));
    const type = name.endsWith(".json") ? "application/json" : "application/octet-stream";
    return new Response(body, {
      headers: { "content-type": type, "cache-control": "public, max-age=300" },
    });
  }
}

let tfjsBundle: Promise<Uint8Array> | null = null;

/**
 * The browser build of tfjs from the installed npm package (no CDN is needed, so the page works
 * offline and where a CDN is unreachable).
 */
export function tfjsBrowserBundle(): Promise<Uint8Array> {
  tfjsBundle ??= (async () => {
    const require = createRequire(import.meta.url);
    // main = …/@tensorflow/tfjs/dist/tf.node.js; the browser bundles sit beside it.
    const main = require.resolve("@tensorflow/tfjs");
    return await Deno.readFile(join(dirname(main), "tf.es2017.min.js"));
  })();
  tfjsBundle.catch(() => (tfjsBundle = null));
  return tfjsBundle;
}
