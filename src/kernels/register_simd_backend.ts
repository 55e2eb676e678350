/** Registers the "simd" backend: tfjs' CPU backend with its hot kernels in WebAssembly SIMD. */
import * as tf from "@tensorflow/tfjs";
import type { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import { convBackpropFilter, convBackpropInput, convForward, supported } from "./_conv.ts";
import { matMul } from "./_matmul.ts";
import {
  BINARY,
  binaryOp,
  gatherRows,
  meanOp,
  softmaxOp,
  sumOp,
  UNARY,
  unaryOp,
} from "./_elementwise.ts";
import { maxPool, maxPoolGrad } from "./_pool.ts";
import { registerReluGrad, RELU_GRAD, reluGrad, reluGradFallback } from "./_relu_grad.ts";
import { startHelper, stopHelper } from "./_threads.ts";
import { detachAliases, SimdBackend } from "./_storage.ts";
import { loadKernels } from "./_wasm.ts";

/** The name under which {@linkcode registerSimdBackend} registers the backend. */
export const SIMD_BACKEND = "simd";

type Args = {
  inputs: Record<string, tf.TensorInfo>;
  backend: MathBackendCPU;
  attrs: tf.NamedAttrMap;
};
/** A fast kernel: its outputs, or null when the reference kernel must run. */
type Fast = (args: Args) => tf.TensorInfo | tf.TensorInfo[] | null;

// deno-lint-ignore no-explicit-any
type AnyAttrs = Record<string, any>;

function convInfo(x: number[], filter: number[], a: AnyAttrs): tf.backend_util.Conv2DInfo {
  const format = tf.backend_util.convertConv2DDataFormat(a.dataFormat ?? "NHWC");
  return tf.backend_util.computeConv2DInfo(
    x as [number, number, number, number],
    filter as [number, number, number, number],
    a.strides,
    a.dilations ?? 1,
    a.pad,
    a.dimRoundingMode,
    false,
    format,
  );
}

function fusedConv(args: Args): tf.TensorInfo | null {
  const { x, filter, bias } = args.inputs;
  const a = args.attrs as AnyAttrs;
  const act = a.activation ?? "linear";
  const info = convInfo(x.shape, filter.shape, a);
  const biasOk = bias === undefined ||
    (bias.dtype === "float32" && bias.shape.reduce((p, q) => p * q, 1) === info.outChannels);
  if (!supported(info, x, filter) || !biasOk || (act !== "linear" && act !== "relu")) return null;
  return convForward(args.backend, x, filter, bias ?? null, act === "relu", info);
}

function poolInfo(shape: number[], a: AnyAttrs): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computePool2DInfo(
    shape as [number, number, number, number],
    a.filterSize,
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
  );
}

const FAST: Record<string, Fast> = {
  Conv2D: fusedConv,
  FusedConv2D: fusedConv,
  Conv2DBackpropInput(args) {
    const { dy, filter } = args.inputs;
    const a = args.attrs as AnyAttrs;
    const info = convInfo(a.inputShape, filter.shape, a);
    if (!supported(info, dy, filter)) return null;
    return convBackpropInput(args.backend, dy, filter, info);
  },
  Conv2DBackpropFilter(args) {
    const { x, dy } = args.inputs;
    const a = args.attrs as AnyAttrs;
    const info = convInfo(x.shape, a.filterShape, a);
    if (!supported(info, x, dy)) return null;
    return convBackpropFilter(args.backend, x, dy, a.filterShape, info);
  },
  BatchMatMul(args) {
    const { a, b } = args.inputs;
    const at = args.attrs as AnyAttrs;
    return matMul(args.backend, a, b, !!at.transposeA, !!at.transposeB, null, false);
  },
  _FusedMatMul(args) {
    const { a, b, bias } = args.inputs;
    const at = args.attrs as AnyAttrs;
    const act = at.activation ?? "linear";
    if (act !== "linear" && act !== "relu") return null;
    return matMul(
      args.backend,
      a,
      b,
      !!at.transposeA,
      !!at.transposeB,
      bias ?? null,
      act === "relu",
    );
  },
  MaxPool(args) {
    const { x } = args.inputs;
    if (x.dtype !== "float32" || x.shape.length !== 4) return null;
    return maxPool(args.backend, x, poolInfo(x.shape, args.attrs as AnyAttrs));
  },
  MaxPoolGrad(args) {
    const { dy, input } = args.inputs;
    if (input.dtype !== "float32" || dy.dtype !== "float32" || input.shape.length !== 4) {
      return null;
    }
    return maxPoolGrad(args.backend, dy, input, poolInfo(input.shape, args.attrs as AnyAttrs));
  },
  Sum(args) {
    const a = args.attrs as AnyAttrs;
    return sumOp(args.backend, args.inputs.x, a.axis, !!a.keepDims);
  },
  Mean(args) {
    const a = args.attrs as AnyAttrs;
    return meanOp(args.backend, args.inputs.x, a.axis, !!a.keepDims);
  },
  Softmax(args) {
    return softmaxOp(args.backend, args.inputs.logits, (args.attrs as AnyAttrs).dim ?? -1);
  },
  GatherV2(args) {
    const a = args.attrs as AnyAttrs;
    const x = args.inputs.x;
    const axis = tf.util.parseAxisParam(a.axis ?? 0, x.shape)[0];
    return gatherRows(args.backend, x, args.inputs.indices, axis, a.batchDims ?? 0);
  },
};

for (const [name, op] of Object.entries(BINARY)) {
  FAST[name] = (args) => binaryOp(args.backend, op, args.inputs.a, args.inputs.b);
}
for (const [name, op] of Object.entries(UNARY)) {
  FAST[name] = (args) =>
    unaryOp(args.backend, op, args.inputs.x, (args.attrs as AnyAttrs)?.alpha ?? 0);
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
 * WebAssembly heap. Relu's gradient becomes one kernel on this backend. Later calls only apply
 * `threads` when given. Afterwards `tf.setBackend("simd")` works.
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

async function register(): Promise<void> {
  await loadKernels();
  if (tf.findBackendFactory(SIMD_BACKEND) === null) {
    tf.registerBackend(SIMD_BACKEND, () => new SimdBackend(), 0);
  }
  for (const config of tf.getKernelsForBackend("cpu")) {
    if (tf.getKernel(config.kernelName, SIMD_BACKEND) !== undefined) continue;
    const reference = config.kernelFunc;
    const fast = FAST[config.kernelName];
    const kernelFunc: tf.KernelFunc = (args) => {
      const a = args as unknown as Args;
      const out = fast?.(a) ?? reference(args);
      detachAliases(a.backend, out);
      return out;
    };
    tf.registerKernel({ ...config, backendName: SIMD_BACKEND, kernelFunc });
  }
  if (tf.getKernel(RELU_GRAD, SIMD_BACKEND) === undefined) {
    tf.registerKernel({
      kernelName: RELU_GRAD,
      backendName: SIMD_BACKEND,
      kernelFunc: (args) => {
        const { inputs, backend } = args as unknown as Args;
        return reluGrad(backend, inputs.dy, inputs.x) ??
          reluGradFallback(backend, inputs.dy, inputs.x);
      },
    });
  }
  registerReluGrad(SIMD_BACKEND);
}
