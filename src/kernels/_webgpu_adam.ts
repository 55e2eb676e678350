/**
 * Adam's update on the webgpu backend in three compute passes per variable (x', m', v'), where
 * tf.train.adam dispatches 14 programs per variable. On a real GPU a training step of the
 * notebook's model is bound by how many programs the host dispatches, not by the arithmetic:
 * measured on an H200, ~60 µs of host time per program.
 */
import * as tf from "@tensorflow/tfjs";
import type { WebGPUBackend, WebGPUProgram } from "@tensorflow/tfjs-backend-webgpu";
import { ADAM, type AdamAttrs } from "./_adam.ts";

/** Which of the update's three results a pass writes. */
type AdamOutput = "x" | "m" | "v";

const WORKGROUP = 64;

/** One pass of the update: reads x, m, v and g, writes one of x', m', v' (float32). */
class AdamProgram implements WebGPUProgram {
  /** The inputs the pass reads: a binding the shader leaves unused fails its bind group. */
  variableNames: string[];
  uniforms =
    "beta1 : f32, oneMinusBeta1 : f32, beta2 : f32, oneMinusBeta2 : f32, c1 : f32, c2 : f32, epsilon : f32, negLr : f32,";
  workgroupSize: [number, number, number] = [WORKGROUP, 1, 1];
  size = true;
  outputShape: number[];
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  shaderKey: string;

  constructor(shape: number[], private readonly out: AdamOutput) {
    this.variableNames = out === "x" ? ["X", "M", "V", "G"] : ["M", "V", "G"];
    this.outputShape = shape;
    this.dispatchLayout = { x: shape.map((_, i) => i) };
    const n = shape.reduce((p, q) => p * q, 1);
    this.dispatch = [Math.ceil(n / WORKGROUP), 1, 1];
    this.shaderKey = `digitsAdam_${out}`;
  }

  getUserCode(): string {
    // The operations and their order are tf.train.adam's (see adamReference in _adam.ts).
    const result = {
      m: "m1",
      v: "v1",
      x: "(((m1 / uniforms.c1) / (sqrt(v1 / uniforms.c2) + uniforms.epsilon)) * uniforms.negLr) + X[index]",
    }[this.out];
    return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let g = G[index];
          let m1 = M[index] * uniforms.beta1 + g * uniforms.oneMinusBeta1;
          let v1 = V[index] * uniforms.beta2 + (g * g) * uniforms.oneMinusBeta2;
          setOutputAtIndex(index, ${result});
        }
      }`;
  }
}

function adamWebGpu(
  args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: unknown },
): tf.TensorInfo[] {
  const backend = args.backend as WebGPUBackend;
  const { x, m, v, g } = args.inputs as Record<"x" | "m" | "v" | "g", tf.TensorInfo>;
  const a = args.attrs as AdamAttrs;
  const uniforms = [
    a.beta1,
    a.oneMinusBeta1,
    a.beta2,
    a.oneMinusBeta2,
    a.c1,
    a.c2,
    a.epsilon,
    a.negLr,
  ]
    .map((value) => ({ type: "float32", data: [value] }));
  return (["x", "m", "v"] as const).map((out) => {
    const inputs = out === "x" ? [x, m, v, g] : [m, v, g];
    return backend.runWebGPUProgram(new AdamProgram(x.shape, out), inputs, "float32", uniforms);
  });
}

/** Registers the update as the `SimdAdam` kernel of the webgpu backend (once). */
export function registerWebGpuAdam(): void {
  if (tf.getKernel(ADAM, "webgpu") !== undefined) return;
  tf.registerKernel({ kernelName: ADAM, backendName: "webgpu", kernelFunc: adamWebGpu });
}
