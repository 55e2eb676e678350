/** tf.train.adam whose update runs as one kernel per variable on the "simd" backend. */
import * as tf from "@tensorflow/tfjs";
import { ADAM, type AdamAttrs } from "./_adam.ts";
import { registerWebGpuAdam } from "./_webgpu_adam.ts";

registerWebGpuAdam();

/** The state that `tf.AdamOptimizer` keeps in fields its typings mark private. */
interface AdamState {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
  accumulatedSecondMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
}

class FusedAdamOptimizer extends tf.AdamOptimizer {
  /**
   * β1^t and β2^t as tfjs' float32 variables hold them, mirrored here so that a step never
   * reads a tensor back (on webgpu that read would wait for the GPU every step).
   */
  #accBeta: [number, number];

  constructor(learningRate: number, beta1: number, beta2: number, epsilon?: number) {
    super(learningRate, beta1, beta2, epsilon);
    this.#accBeta = [Math.fround(beta1), Math.fround(beta2)];
  }

  override async setWeights(
    weightValues: Parameters<tf.AdamOptimizer["setWeights"]>[0],
  ): Promise<void> {
    await super.setWeights(weightValues);
    const s = this as unknown as AdamState;
    this.#accBeta = [(await s.accBeta1.data())[0], (await s.accBeta2.data())[0]];
  }

  override applyGradients(gradients: Parameters<tf.AdamOptimizer["applyGradients"]>[0]): void {
    if (tf.getKernel(ADAM, tf.getBackend()) === undefined) {
      super.applyGradients(gradients);
      return;
    }
    const s = this as unknown as AdamState;
    const names = Array.isArray(gradients) ? gradients.map((g) => g.name) : Object.keys(gradients);
    const f = Math.fround;
    const [acc1, acc2] = this.#accBeta;
    // The scalars as tfjs' float32 scalar tensors hold them (sub(1, accBeta1) and so on).
    const attrs: AdamAttrs = {
      beta1: f(s.beta1),
      oneMinusBeta1: f(1 - s.beta1),
      beta2: f(s.beta2),
      oneMinusBeta2: f(1 - s.beta2),
      c1: f(1 - acc1),
      c2: f(1 - acc2),
      epsilon: f(s.epsilon),
      negLr: f(-s.learningRate),
    };
    tf.tidy(() => {
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name];
        const slot = (suffix: string) => ({
          originalName: `${name}/${suffix}`,
          variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
        });
        s.accumulatedFirstMoment[i] ??= slot("m");
        s.accumulatedSecondMoment[i] ??= slot("v");
        const g = Array.isArray(gradients) ? gradients[i].tensor : gradients[name];
        if (g == null) return;
        const m = s.accumulatedFirstMoment[i]!.variable;
        const v = s.accumulatedSecondMoment[i]!.variable;
        const [x1, m1, v1] = tf.engine().runKernel(
          ADAM,
          { x: value, m, v, g },
          attrs,
        ) as tf.Tensor[];
        m.assign(m1);
        v.assign(v1);
        value.assign(x1);
      });
      s.accBeta1.assign(tf.mul(s.accBeta1, s.beta1));
      s.accBeta2.assign(tf.mul(s.accBeta2, s.beta2));
    });
    this.#accBeta = [f(acc1 * f(s.beta1)), f(acc2 * f(s.beta2))];
    this.incrementIterations();
  }
}

/**
 * `tf.train.adam(learningRate, beta1, beta2, epsilon)` whose update of each variable runs as one
 * `SimdAdam` kernel when the current backend has it, instead of tfjs' 14 kernels per variable.
 * On "simd" the arithmetic is tfjs' own, operation for operation in float32, so the weights are
 * the same bit for bit; on "webgpu" the same operations run as three compute passes (equal to
 * within float32 rounding, as the GPU may fuse a multiply and an add). On other backends it is
 * tfjs' optimizer unchanged. It saves, loads and
 * serialises as tfjs' Adam does (class name "Adam").
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { adamOptimizer, registerSimdBackend } from "./mod.ts";
 * import { equal } from "node:assert/strict";
 * await registerSimdBackend();
 * await tf.setBackend("simd");
 * const w = tf.variable(tf.tensor1d([1, 2]));
 * adamOptimizer(0.1).minimize(() => w.square().sum());
 * equal((await w.data())[0] < 1, true);
 * ```
 */
export function adamOptimizer(
  learningRate = 0.001,
  beta1 = 0.9,
  beta2 = 0.999,
  epsilon?: number,
): tf.AdamOptimizer {
  return new FusedAdamOptimizer(learningRate, beta1, beta2, epsilon);
}
