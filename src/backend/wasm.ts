import "@tensorflow/tfjs-backend-wasm";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { createRequire } from "node:module";
import { dirname } from "node:path";

let registered = false;

/**
 * Points tfjs' `wasm` backend (XNNPACK kernels; inference only) at its `.wasm` binaries inside the
 * installed npm package, so that `tf.setBackend("wasm")` works in Deno without a network.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { registerWasmBackend } from "./wasm.ts";
 * import { equal } from "node:assert/strict";
 * registerWasmBackend();
 * equal(await tf.setBackend("wasm"), true);
 * ```
 */
export function registerWasmBackend(): void {
  if (registered) return;
  const require = createRequire(import.meta.url);
  const main = require.resolve("@tensorflow/tfjs-backend-wasm");
  // main = …/tfjs-backend-wasm/dist/tf-backend-wasm.node.js; the binaries sit beside it.
  setWasmPaths(dirname(main) + "/");
  registered = true;
}
