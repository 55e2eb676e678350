/**
 * A WebGPU `Conv2DBackpropFilter` (the filter gradient dW) that splits its reduction across
 * workgroups. tfjs' own `Conv2DDerFilterProgram` runs one thread per filter weight, each looping
 * over batch × output pixels: 200 threads for the first conv of the digits CNN (5×5×1×8), so a
 * GPU sits almost idle while each of them walks 18,432 products at batch 32.
 *
 * Here pass 1 gives each workgroup 16 filter weights × one slice of the reduction (batch × output
 * rows × output columns, flattened); its 256 threads take the weights × 16 reduction lanes, each
 * lane summing every 16th product of the slice, and a shared-memory tree adds the lanes, so each
 * workgroup writes 16 partial sums. Pass 2 adds a weight's partials over the slices. Only NHWC
 * (the layers model's layout) takes this path; NCHW goes to the stock kernel.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { WebGPUBackend, WebGPUProgram } from "@tensorflow/tfjs-backend-webgpu";

/** Filter weights one workgroup handles. */
const TILE = 16;
/** Reduction lanes per weight: TILE × LANES threads in a workgroup. */
const LANES = 16;
/** Workgroups pass 1 aims for: enough to fill a large GPU, few enough to keep partials small. */
const TARGET_GROUPS = 512;
/** A lane sums at least this many products in its slice (fewer slices for small reductions). */
const MIN_STEPS = 16;

/** Pass 1: partial sums `[slices, filterSize]`. */
class FilterPartialsProgram implements WebGPUProgram {
  variableNames = ["x", "dy"];
  uniforms = "pads : vec2<i32>, strides : vec2<i32>, inDims : vec2<i32>, outDims : vec2<i32>, " +
    "channels : vec2<i32>, filterWidth : i32, filterSize : i32, total : i32, sliceLen : i32, " +
    "slices : i32, chunks : i32,";
  workgroupSize: [number, number, number] = [TILE * LANES, 1, 1];
  outputShape: number[];
  dispatchLayout = { x: [0, 1] };
  dispatch: [number, number, number];
  shaderKey = "digitsConv2DDerFilterPartials";
  size = false;

  constructor(slices: number, filterSize: number, chunks: number) {
    this.outputShape = [slices, filterSize];
    this.dispatch = [slices * chunks, 1, 1];
  }

  getUserCode(): string {
    return `
    var<workgroup> dwLanes : array<f32, ${TILE * LANES}>;

    fn main(index : i32) {
      let group = index / ${TILE * LANES};
      let lane = index % ${TILE * LANES};
      let slice = group / uniforms.chunks;
      let f = (group % uniforms.chunks) * ${TILE} + lane % ${TILE};
      let rLane = lane / ${TILE};
      let inside = f < uniforms.filterSize && slice < uniforms.slices;
      var acc = 0.0;
      if (inside) {
        // f indexes the filter [filterHeight, filterWidth, inChannels, outChannels].
        let d2 = f % uniforms.channels.y;
        let t = f / uniforms.channels.y;
        let d1 = t % uniforms.channels.x;
        let w = t / uniforms.channels.x;
        let wC = w % uniforms.filterWidth;
        let wR = w / uniforms.filterWidth;
        let start = slice * uniforms.sliceLen + rLane;
        let end = min(slice * uniforms.sliceLen + uniforms.sliceLen, uniforms.total);
        // r indexes dy [batch, outHeight, outWidth] (its channel d2 apart); (b, yR, yC) follow it
        // by carries rather than a division per product.
        var yC = start % uniforms.outDims.y;
        let u = start / uniforms.outDims.y;
        var yR = u % uniforms.outDims.x;
        var b = u / uniforms.outDims.x;
        for (var r = start; r < end; r = r + ${LANES}) {
          let xR = wR + yR * uniforms.strides.x - uniforms.pads.x;
          let xC = wC + yC * uniforms.strides.y - uniforms.pads.y;
          if (xR >= 0 && xR < uniforms.inDims.x && xC >= 0 && xC < uniforms.inDims.y) {
            let xi = ((b * uniforms.inDims.x + xR) * uniforms.inDims.y + xC) * uniforms.channels.x + d1;
            acc = acc + x[xi] * dy[r * uniforms.channels.y + d2];
          }
          yC = yC + ${LANES};
          loop {
            if (yC < uniforms.outDims.y) { break; }
            yC = yC - uniforms.outDims.y;
            yR = yR + 1;
            if (yR == uniforms.outDims.x) {
              yR = 0;
              b = b + 1;
            }
          }
        }
      }
      dwLanes[lane] = acc;
      workgroupBarrier();
      for (var s = ${(TILE * LANES) / 2}; s >= ${TILE}; s = s / 2) {
        if (lane < s) {
          dwLanes[lane] = dwLanes[lane] + dwLanes[lane + s];
        }
        workgroupBarrier();
      }
      if (inside && rLane == 0) {
        result[slice * uniforms.filterSize + f] = dwLanes[lane];
      }
    }
  `;
  }
}

/** Pass 2: the filter gradient, each weight's partials summed over the slices. */
class SumPartialsProgram implements WebGPUProgram {
  variableNames = ["partials"];
  uniforms = "slices : i32,";
  workgroupSize: [number, number, number] = [64, 1, 1];
  outputShape: number[];
  dispatchLayout = { x: [0, 1, 2, 3] };
  dispatch: [number, number, number];
  shaderKey = "digitsConv2DDerFilterSum";
  size = true;

  constructor(filterShape: number[]) {
    this.outputShape = filterShape;
    const size = filterShape.reduce((a, b) => a * b, 1);
    this.dispatch = [Math.ceil(size / 64), 1, 1];
  }

  getUserCode(): string {
    return `
    fn main(index : i32) {
      if (index < uniforms.size) {
        var sum = 0.0;
        for (var s = 0; s < uniforms.slices; s = s + 1) {
          sum = sum + partials[s * uniforms.size + index];
        }
        setOutputAtIndex(index, sum);
      }
    }
  `;
  }
}

/** How pass 1 splits a reduction of `total` products over a filter of `filterSize` weights. */
export function splitReduction(
  total: number,
  filterSize: number,
): { chunks: number; slices: number; sliceLen: number } {
  const chunks = Math.ceil(filterSize / TILE);
  const most = Math.max(1, Math.floor(total / (LANES * MIN_STEPS)));
  const wanted = Math.min(most, Math.max(1, Math.ceil(TARGET_GROUPS / chunks)));
  const sliceLen = Math.ceil(total / wanted);
  return { chunks, slices: Math.ceil(total / sliceLen), sliceLen };
}

type FilterArgs = {
  inputs: tf.NamedTensorInfoMap;
  backend: tf.KernelBackend;
  attrs?: tf.NamedAttrMap;
};

/** The kernel function, falling back to `stock` for layouts it does not handle. */
function splitFilterGradient(stock: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { inputs, attrs } = args as FilterArgs;
    const backend = args.backend as WebGPUBackend;
    const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } =
      attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    const format = tf.backend_util.convertConv2DDataFormat(dataFormat);
    if (format !== "channelsLast" || x.dtype !== "float32") return stock(args);
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filterShape,
      strides,
      1,
      pad,
      dimRoundingMode,
      false,
      format,
    );
    const filterSize = info.filterHeight * info.filterWidth * info.inChannels * info.outChannels;
    const total = info.batchSize * info.outHeight * info.outWidth;
    if (filterSize === 0 || total === 0) return stock(args);
    splitCalls++;
    const { chunks, slices, sliceLen } = splitReduction(total, filterSize);
    const partials = backend.runWebGPUProgram(
      new FilterPartialsProgram(slices, filterSize, chunks),
      [x, dy],
      "float32",
      [
        { type: "int32", data: [info.padInfo.top, info.padInfo.left] },
        { type: "int32", data: [info.strideHeight, info.strideWidth] },
        { type: "int32", data: [info.inHeight, info.inWidth] },
        { type: "int32", data: [info.outHeight, info.outWidth] },
        { type: "int32", data: [info.inChannels, info.outChannels] },
        { type: "int32", data: [info.filterWidth] },
        { type: "int32", data: [filterSize] },
        { type: "int32", data: [total] },
        { type: "int32", data: [sliceLen] },
        { type: "int32", data: [slices] },
        { type: "int32", data: [chunks] },
      ],
    );
    const dw = backend.runWebGPUProgram(
      new SumPartialsProgram(info.filterShape),
      [partials],
      "float32",
      [{ type: "int32", data: [slices] }],
    );
    backend.disposeData(partials.dataId);
    return dw;
  };
}

let stockConfig: tf.KernelConfig | undefined;
let splitCalls = 0;

/** How many filter gradients the split-reduction kernel has computed (not handed to stock). */
export function splitFilterGradientCalls(): number {
  return splitCalls;
}

/**
 * Makes the webgpu backend's `Conv2DBackpropFilter` the split-reduction kernel (`split` true) or
 * tfjs' stock one (`split` false). Call after `@tensorflow/tfjs-backend-webgpu` is imported; the
 * engine looks a kernel up on every call, so this switches a running backend.
 */
export function useSplitFilterGradient(split: boolean): void {
  const current = tf.getKernel(tf.Conv2DBackpropFilter, "webgpu");
  if (current === undefined) {
    throw new Error(
      "Cannot install the WebGPU filter-gradient kernel: the webgpu backend registered no Conv2DBackpropFilter",
    );
  }
  stockConfig ??= current;
  tf.unregisterKernel(tf.Conv2DBackpropFilter, "webgpu");
  tf.registerKernel(
    split
      ? { ...stockConfig, kernelFunc: splitFilterGradient(stockConfig.kernelFunc) }
      : stockConfig,
  );
}
