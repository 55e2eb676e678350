import { deepEqual } from "node:assert/strict";
import { buildKernels } from "../src/kernels/build_kernels.ts";

Deno.test("buildKernels() reproduces the committed kernels.wasm from its AssemblyScript source", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const out = new URL(`file://${dir}/kernels.wasm`);
    await buildKernels(out);
    const committed = await Deno.readFile(
      new URL("../src/kernels/wasm/kernels.wasm", import.meta.url),
    );
    deepEqual(await Deno.readFile(out), committed);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
