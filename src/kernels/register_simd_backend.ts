/** Registers the "simd" backend: tfjs' CPU backend with its hot kernels in WebAssembly SIMD. */
import * as tf from "@tensorflow/tfjs";
import { ADAM, type AdamAttrs, adamReference, adamUpdate } from "./_adam.ts";
import { FAST, type KernelArgs } from "./_fast.ts";
import { registerReluGrad, RELU_GRAD, reluGrad, reluGradFallback } from "./_relu_grad.ts";
import { startHelper, stopHelper } from "./_threads.ts";
import { detachAliases, SimdBackend } from "./_storage.ts";
import { loadKernels } from "./_wasm.ts";

/** The name under which {@linkcode registerSimdBackend} registers the backend. */
export const SIMD_BACKEND = "simd";

/** How often one kernel of "simd" ran its WebAssembly path and how often the reference. */
export interface KernelCount {
  /** Calls that ran the WebAssembly SIMD path. */
  fast: number;
  /** Calls that fell back to tfjs' cpu kernel (or, for the fused kernels, to JavaScript). */
  reference: number;
}

const counts = new Map<string, KernelCount>();

function count(name: string, fast: boolean): void {
  let c = counts.get(name);
  if (c === undefined) counts.set(name, c = { fast: 0, reference: 0 });
  if (fast) c.fast++;
  else c.reference++;
}

/**
 * A snapshot of the calls of every kernel of "simd" that has a WebAssembly path, by kernel name,
 * since the process started: tests use it to check that a fast path ran rather than silently
 * falling back to the reference kernel.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { registerSimdBackend, simdKernelCounts } from "./mod.ts";
 * import { equal } from "node:assert/strict";
 * await registerSimdBackend();
 * await tf.setBackend("simd");
 * const before = simdKernelCounts().get("BatchMatMul")?.fast ?? 0;
 * tf.matMul(tf.ones([2, 3]), tf.ones([3, 4]));
 * equal(simdKernelCounts().get("BatchMatMul")?.fast, before + 1);
 * ```
 */
export function simdKernelCounts(): Map<string, KernelCount> {
  return new Map([...counts].map(([name, c]) => [name, { ...c }]));
}

let pending: Promise<void> | null = null;

/** Options for {@linkcode registerSimdBackend}. */
export interface SimdBackendOptions {
  /**
   * Threads for the convolution and pooling kernels: 1 runs everything on the calling thread; 2
   * adds a helper thread (a `node:worker_threads` worker on the same WebAssembly memory) that
   * claims images of each convolution and pooling a few at a time alongside the calling thread.
   * More than 2 is treated as 2. Left out, the count stays as it is (1 after the first call).
   * @default {1}
   */
  threads?: number;
}

/**
 * Registers the "simd" backend once: a `MathBackendCPU` whose every kernel is tfjs' cpu kernel,
 * except convolutions, their gradients, matrix products, max pooling, softmax and the element-wise
 * ops and sums of a training step, which run in WebAssembly SIMD on tensors kept in the
 * WebAssembly heap. Relu's gradient becomes one kernel on this backend, and so does Adam's update
 * through {@linkcode adamOptimizer}. Later calls only apply `threads` when given. Afterwards
 * `tf.setBackend("simd")` works.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { registerSimdBackend } from "./register_simd_backend.ts";
 * import { equal } from "node:assert/strict";
 * await registerSimdBackend();
 * equal(await tf.setBackend("simd"), true);
 * const y = tf.matMul(tf.ones([2, 3]), tf.ones([3, 4]));
 * equal((await y.data())[0], 3);
 * ```
 */
export async function registerSimdBackend(options: SimdBackendOptions = {}): Promise<void> {
  const threads = options.threads;
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1)) {
    throw new RangeError(`Cannot start the simd backend: expected threads >= 1, found ${threads}`);
  }
  pending ??= register();
  await pending;
  if (threads === undefined) return;
  if (threads >= 2) await startHelper();
  else await stopHelper();
}

/** Registers `kernelFunc` under `name` on "simd", counting which path each call took. */
function registerCounted(
  name: string,
  fast: (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[] | null,
  reference: (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[],
  config: Omit<tf.KernelConfig, "kernelName" | "backendName" | "kernelFunc"> = {},
): void {
  const kernelFunc: tf.KernelFunc = (args) => {
    const a = args as unknown as KernelArgs;
    const fastOut = fast(a);
    count(name, fastOut !== null);
    const out = fastOut ?? reference(a);
    detachAliases(a.backend, out);
    return out;
  };
  tf.registerKernel({ ...config, kernelName: name, backendName: SIMD_BACKEND, kernelFunc });
}

async function register(): Promise<void> {
  await loadKernels();
  if (tf.findBackendFactory(SIMD_BACKEND) === null) {
    tf.registerBackend(SIMD_BACKEND, () => new SimdBackend(), 0);
  }
  for (const config of tf.getKernelsForBackend("cpu")) {
    if (tf.getKernel(config.kernelName, SIMD_BACKEND) !== undefined) continue;
    const reference = config.kernelFunc as unknown as (args: KernelArgs) => tf.TensorInfo;
    const fast = FAST[config.kernelName];
    if (fast === undefined) {
      const kernelFunc: tf.KernelFunc = (args) => {
        const out = config.kernelFunc(args);
        detachAliases((args as unknown as KernelArgs).backend, out);
        return out;
      };
      tf.registerKernel({ ...config, backendName: SIMD_BACKEND, kernelFunc });
    } else {
      registerCounted(config.kernelName, fast, reference, config);
    }
  }
  if (tf.getKernel(RELU_GRAD, SIMD_BACKEND) === undefined) {
    registerCounted(
      RELU_GRAD,
      ({ inputs, backend }) => reluGrad(backend, inputs.dy, inputs.x),
      ({ inputs, backend }) => reluGradFallback(backend, inputs.dy, inputs.x),
    );
  }
  if (tf.getKernel(ADAM, SIMD_BACKEND) === undefined) {
    // adamOptimizer() is the one caller: its attributes are an AdamAttrs.
    const adam = (a: KernelArgs) => a as KernelArgs<AdamAttrs>;
    registerCounted(ADAM, (a) => adamUpdate(adam(a)), (a) => adamReference(adam(a)));
  }
  registerReluGrad(SIMD_BACKEND);
}
