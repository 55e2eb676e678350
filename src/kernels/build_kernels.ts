/**
 * `deno task build:kernels`: compiles `assembly/kernels.ts` (AssemblyScript, with the files it
 * exports from) into `wasm/kernels.wasm` with SIMD and relaxed SIMD (fused multiply-add), and
 * into `wasm/kernels_plain.wasm` with plain SIMD, for engines without relaxed SIMD. The output
 * is deterministic: rebuilding from the same source gives the same bytes, so the committed
 * files can be checked against their source.
 *
 * @module
 */
import asc from "assemblyscript/asc";

const SOURCE = new URL("./assembly/kernels.ts", import.meta.url);

/** The two builds: relaxed SIMD (fused multiply-add) and plain SIMD. */
export const KERNEL_BUILDS = {
  relaxed: {
    file: new URL("./wasm/kernels.wasm", import.meta.url),
    features: "simd,relaxed-simd,threads",
  },
  plain: { file: new URL("./wasm/kernels_plain.wasm", import.meta.url), features: "simd,threads" },
} as const;

/** Which build: with relaxed SIMD's fused multiply-add, or plain SIMD. */
export type KernelBuild = keyof typeof KERNEL_BUILDS;

/**
 * Compiles the AssemblyScript kernels as `build` and writes the `.wasm` (by default the
 * committed file that the "simd" backend loads) and returns its size in bytes.
 *
 * @example
 * ```ts ignore
 * import { buildKernels } from "./build_kernels.ts";
 * const bytes = await buildKernels("plain");
 * console.log(`${bytes} bytes`);
 * ```
 */
export async function buildKernels(
  build: KernelBuild = "relaxed",
  outFile: URL = KERNEL_BUILDS[build].file,
): Promise<number> {
  const { error, stderr } = await asc.main([
    SOURCE.pathname,
    "--outFile",
    outFile.pathname,
    "-O3",
    "--runtime",
    "stub",
    "--enable",
    KERNEL_BUILDS[build].features,
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
  for (const build of ["relaxed", "plain"] as const) {
    const size = await buildKernels(build);
    console.log(`Wrote ${KERNEL_BUILDS[build].file.pathname} (${size} bytes)`);
  }
}
