/**
 * The fast kernels of "simd", by tfjs kernel name: each returns its outputs, or null when the
 * case is one it does not cover (the reference cpu kernel then runs).
 */
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

/** What tfjs hands a kernel, with the attributes typed as the kernel declares them. */
export interface KernelArgs<A = tf.NamedAttrMap> {
  inputs: Record<string, tf.TensorInfo>;
  backend: MathBackendCPU;
  attrs: A;
}

/** A fast kernel: its outputs, or null when the reference kernel must run. */
export type Fast = (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[] | null;

/** Convolution attributes common to the forward kernels and both gradients. */
type ConvAttrs = Pick<tf.Conv2DAttrs, "strides" | "pad" | "dataFormat" | "dimRoundingMode"> & {
  dilations?: tf.Conv2DAttrs["dilations"];
};

function convInfo(x: number[], filter: number[], a: ConvAttrs): tf.backend_util.Conv2DInfo {
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

function poolInfo(shape: number[], a: tf.MaxPoolAttrs): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computePool2DInfo(
    shape as [number, number, number, number],
    a.filterSize,
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
  );
}

/** Conv2D and FusedConv2D (bias, linear or relu). */
function conv(args: KernelArgs<Partial<tf.FusedConv2DAttrs> & ConvAttrs>): tf.TensorInfo | null {
  const { x, filter, bias } = args.inputs;
  const act = args.attrs.activation ?? "linear";
  const info = convInfo(x.shape, filter.shape, args.attrs);
  const biasOk = bias === undefined ||
    (bias.dtype === "float32" && bias.shape.reduce((p, q) => p * q, 1) === info.outChannels);
  if (!supported(info, x, filter) || !biasOk || (act !== "linear" && act !== "relu")) return null;
  return convForward(args.backend, x, filter, info, { bias: bias ?? null, relu: act === "relu" });
}

/** BatchMatMul and _FusedMatMul (bias, linear or relu). */
function product(args: KernelArgs<Partial<tf._FusedMatMulAttrs>>): tf.TensorInfo | null {
  const { a, b, bias } = args.inputs;
  const act = args.attrs.activation ?? "linear";
  if (act !== "linear" && act !== "relu") return null;
  return matMul(args.backend, a, b, {
    transposeA: args.attrs.transposeA === true,
    transposeB: args.attrs.transposeB === true,
    bias: bias ?? null,
    relu: act === "relu",
  });
}

const TYPED = {
  Conv2D: conv,
  FusedConv2D: conv,
  Conv2DBackpropInput(args: KernelArgs<tf.Conv2DBackpropInputAttrs>) {
    const { dy, filter } = args.inputs;
    const info = convInfo(args.attrs.inputShape, filter.shape, args.attrs);
    if (!supported(info, dy, filter)) return null;
    return convBackpropInput(args.backend, dy, filter, info);
  },
  Conv2DBackpropFilter(args: KernelArgs<tf.Conv2DBackpropFilterAttrs>) {
    const { x, dy } = args.inputs;
    const info = convInfo(x.shape, args.attrs.filterShape, args.attrs);
    if (!supported(info, x, dy)) return null;
    return convBackpropFilter(args.backend, x, dy, args.attrs.filterShape, info);
  },
  BatchMatMul: product,
  _FusedMatMul: product,
  MaxPool(args: KernelArgs<tf.MaxPoolAttrs>) {
    const { x } = args.inputs;
    if (x.dtype !== "float32" || x.shape.length !== 4) return null;
    return maxPool(args.backend, x, poolInfo(x.shape, args.attrs));
  },
  MaxPoolGrad(args: KernelArgs<tf.MaxPoolGradAttrs>) {
    const { dy, input } = args.inputs;
    if (input.dtype !== "float32" || dy.dtype !== "float32" || input.shape.length !== 4) {
      return null;
    }
    return maxPoolGrad(args.backend, dy, input, poolInfo(input.shape, args.attrs));
  },
  Sum(args: KernelArgs<tf.SumAttrs>) {
    return sumOp(args.backend, args.inputs.x, args.attrs.axis, args.attrs.keepDims === true);
  },
  Mean(args: KernelArgs<tf.MeanAttrs>) {
    return meanOp(args.backend, args.inputs.x, args.attrs.axis, args.attrs.keepDims === true);
  },
  Softmax(args: KernelArgs<Partial<tf.SoftmaxAttrs>>) {
    return softmaxOp(args.backend, args.inputs.logits, args.attrs.dim ?? -1);
  },
  GatherV2(args: KernelArgs<Partial<tf.GatherV2Attrs>>) {
    const x = args.inputs.x;
    const axis = tf.util.parseAxisParam(args.attrs.axis ?? 0, x.shape)[0];
    return gatherRows(args.backend, x, args.inputs.indices, axis, args.attrs.batchDims ?? 0);
  },
};

/** Every fast kernel by tfjs kernel name. */
export const FAST: Record<string, Fast> = { ...(TYPED as unknown as Record<string, Fast>) };

for (const [name, op] of Object.entries(BINARY)) {
  FAST[name] = (args) => binaryOp(args.backend, op, args.inputs.a, args.inputs.b);
}
for (const [name, op] of Object.entries(UNARY)) {
  FAST[name] = (args) => {
    const alpha = (args.attrs as Partial<tf.StepAttrs> | undefined)?.alpha ?? 0;
    return unaryOp(args.backend, op, args.inputs.x, alpha);
  };
}
