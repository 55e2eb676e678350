/**
 * `deno task build:kernels`: compiles `assembly/kernels.ts` (AssemblyScript, with the files it
 * exports from) into `wasm/kernels.wasm` with SIMD enabled. The output is deterministic:
 * rebuilding from the same source gives the same bytes, so the committed file can be checked
 * against its source.
 *
 * @module
 */
import asc from "assemblyscript/asc";

const SOURCE = new URL("./assembly/kernels.ts", import.meta.url);
const TARGET = new URL("./wasm/kernels.wasm", import.meta.url);

/**
 * Compiles the AssemblyScript kernels and writes the `.wasm` (by default the committed
 * `wasm/kernels.wasm` that the "simd" backend loads) and returns its size in bytes.
 *
 * @example
 * ```ts ignore
 * import { buildKernels } from "./build_kernels.ts";
 * const bytes = await buildKernels();
 * console.log(`${bytes} bytes`);
 * ```
 */
export async function buildKernels(outFile: URL = TARGET): Promise<number> {
  const { error, stderr } = await asc.main([
    SOURCE.pathname,
    "--outFile",
    outFile.pathname,
    "-O3",
    "--runtime",
    "stub",
    "--enable",
    "simd,relaxed-simd,threads",
    "--importMemory",
    "--sharedMemory",
    "--maximumMemory",
    "16384",
    "--noAssert",
    "--initialMemory",
    "64",
  ]);
  if (error) throw new Error(`Cannot compile ${SOURCE.pathname}: ${error.message}\n${stderr}`);
  return (await Deno.stat(outFile)).size;
}

if (import.meta.main) {
  const size = await buildKernels();
  console.log(`Wrote ${TARGET.pathname} (${size} bytes)`);
}
