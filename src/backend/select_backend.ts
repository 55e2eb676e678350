import * as tf from "@tensorflow/tfjs";

/** What a run actually got: the tfjs backend and, for WebGPU, the adapter behind it. */
export interface BackendInfo {
  /** The tfjs backend in use (`webgpu`, `simd`, `cpu`, `wasm`). */
  name: string;
  /** The adapter's description for WebGPU (for example `llvmpipe (LLVM 15.0.6, 256 bits)`). */
  adapter: string | null;
  /** Whether that adapter is a software fallback; `null` off WebGPU. */
  fallbackAdapter: boolean | null;
}

/** Options for {@linkcode selectBackend}. */
export interface SelectBackendOptions {
  /** The backend is for training: refuse those without gradient kernels. @default {false} */
  training?: boolean;
  /**
   * Threads of the simd backend (see `registerSimdBackend`): 2 adds a helper thread for the
   * convolutions and pooling. Ignored by the other backends. @default {1}
   */
  threads?: number;
  /**
   * WebGPU's filter-gradient kernel: `split` (ours, the reduction spread over many workgroups),
   * `stock` (tfjs' own, one thread per filter weight), or `auto`: `split` on a hardware adapter,
   * `stock` on a software one (a CPU, where tfjs' few long threads are the faster shape). Ignored
   * by the other backends.
   * @default {"stock" when the environment sets DIGITS_WEBGPU_STOCK=1, else "auto"}
   */
  webgpuKernels?: "auto" | "split" | "stock";
}

interface AdapterProbe {
  description: string;
  fallback: boolean;
}

async function probeAdapter(): Promise<AdapterProbe | null> {
  const gpu = (globalThis.navigator as { gpu?: GPU } | undefined)?.gpu;
  if (gpu === undefined) return null;
  const adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
  if (adapter === null) return null;
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const description = info.description || [info.vendor, info.architecture, info.device]
    .filter((s) => s).join(" ");
  return { description, fallback: info.isFallbackAdapter ?? false };
}

/** The fastest CPU backend this build provides: our WebAssembly SIMD kernels. */
async function useSimd(threads: number): Promise<void> {
  const { registerSimdBackend } = await import("../kernels/mod.ts");
  await registerSimdBackend({ threads });
  await activate("simd");
}

/** `stock` when DIGITS_WEBGPU_STOCK=1 (and the environment may be read), else `auto`. */
function webgpuKernelsFromEnv(): "auto" | "stock" {
  try {
    return Deno.env.get("DIGITS_WEBGPU_STOCK") === "1" ? "stock" : "auto";
  } catch {
    return "auto";
  }
}

async function activate(
  name: string,
  options: SelectBackendOptions = {},
  probe: AdapterProbe | null = null,
): Promise<void> {
  if (name === "wasm") (await import("./wasm.ts")).registerWasmBackend();
  if (name === "webgpu") {
    await import("@tensorflow/tfjs-backend-webgpu");
    const kernels = options.webgpuKernels ?? webgpuKernelsFromEnv();
    const split = kernels === "split" || (kernels === "auto" && probe?.fallback === false);
    (await import("./_webgpu_conv_filter.ts")).useSplitFilterGradient(split);
  }
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`Cannot start the ${name} backend`);
  await tf.ready();
}

/**
 * Picks and starts a tfjs backend. `auto` takes WebGPU when a hardware adapter exists
 * (`isFallbackAdapter` false), else the WebAssembly SIMD CPU backend. WebGPU on a software adapter
 * is used only when asked for by name. On a hardware adapter the convolutions' filter gradient runs
 * our split-reduction kernel unless `webgpuKernels` (or DIGITS_WEBGPU_STOCK=1) asks for tfjs' own.
 * Quiet tfjs' Node.js advice, which does not apply to Deno.
 *
 * @example
 * ```ts
 * import { selectBackend } from "./select_backend.ts";
 * import { equal } from "node:assert/strict";
 * const info = await selectBackend("cpu");
 * equal(info.name, "cpu");
 * ```
 */
export async function selectBackend(
  requested: string = "auto",
  options: SelectBackendOptions = {},
): Promise<BackendInfo> {
  tf.env().set("PROD", true);
  if (requested === "wasm" && options.training) {
    throw new RangeError(
      "The wasm backend has no gradient kernels, so it cannot train: use --backend simd, cpu or webgpu",
    );
  }
  if (requested === "auto") {
    const probe = await probeAdapter();
    if (probe !== null && !probe.fallback) {
      await activate("webgpu", options, probe);
      return { name: "webgpu", adapter: probe.description, fallbackAdapter: false };
    }
    await useSimd(options.threads ?? 1);
    return { name: "simd", adapter: null, fallbackAdapter: null };
  }
  if (requested === "webgpu") {
    const probe = await probeAdapter();
    if (probe === null) {
      throw new Error("WebGPU is not available here: no adapter (try --backend simd)");
    }
    await activate("webgpu", options, probe);
    return { name: "webgpu", adapter: probe.description, fallbackAdapter: probe.fallback };
  }
  if (requested === "simd") {
    await useSimd(options.threads ?? 1);
    return { name: "simd", adapter: null, fallbackAdapter: null };
  }
  if (requested === "cpu" || requested === "wasm") {
    await activate(requested);
    return { name: requested, adapter: null, fallbackAdapter: null };
  }
  throw new RangeError(
    `Unknown backend "${requested}": expected one of auto, webgpu, simd, cpu, wasm`,
  );
}

/**
 * A one-line description of a backend for logs: `webgpu (NVIDIA H100)`, `simd (WebAssembly SIMD)`.
 *
 * @example
 * ```ts
 * import { describeBackend } from "./select_backend.ts";
 * import { equal } from "node:assert/strict";
 * equal(describeBackend({ name: "cpu", adapter: null, fallbackAdapter: null }), "cpu");
 * ```
 */
export function describeBackend(info: BackendInfo): string {
  if (info.name === "webgpu") {
    return `webgpu (adapter: ${info.adapter}${info.fallbackAdapter ? ", software fallback" : ""})`;
  }
  if (info.name === "simd") return "simd (WebAssembly SIMD kernels on the CPU)";
  return info.name;
}
