/**
 * The optimizer behind `adamOptimizer()`: tf.train.adam whose update runs as one `SimdAdam`
 * kernel per variable, and whose state the fused training step (`simdTrainStep()`) reads and
 * advances exactly as `applyGradients` does.
 */
import * as tf from "@tensorflow/tfjs";
import { ADAM, type AdamAttrs } from "./_adam.ts";

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

/**
 * The float32 data of a scalar variable that no other tensor shares, on a CPU-memory backend
 * (cpu, simd); null elsewhere.
 */
function scalarData(v: tf.Variable): Float32Array | null {
  const backend = tf.engine().backend as unknown as {
    data?: { get(id: object): { values: unknown; refCount: number } | undefined };
  };
  const data = backend.data?.get(v.dataId);
  if (data === undefined || data.refCount !== 1 || !(data.values instanceof Float32Array)) {
    return null;
  }
  return data.values.length === 1 ? data.values : null;
}

/** The first and second moments of one variable. */
export interface AdamSlots {
  m: tf.Variable;
  v: tf.Variable;
}

/** tf.train.adam with a one-kernel update on backends that register `SimdAdam`. */
export class FusedAdamOptimizer extends tf.AdamOptimizer {
  /**
   * Whether `o` is one of these (tfjs' optimizers answer `instanceof` by duck typing: any
   * optimizer would pass).
   */
  static is(o: unknown): o is FusedAdamOptimizer {
    return typeof o === "object" && o !== null && #state in o;
  }

  /**
   * β1^t and β2^t as tfjs' float32 variables hold them, mirrored here so that a step never reads
   * a tensor back (on webgpu that read would wait for the GPU every step, and `dataSync()` is not
   * available there in Deno). The variables still advance, for `getWeights()` and saving.
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
    const s = this.#state();
    this.#accBeta = [(await s.accBeta1.data())[0], (await s.accBeta2.data())[0]];
  }

  #state(): AdamState {
    return this as unknown as AdamState;
  }

  /**
   * This step's scalars, each a float32 value as tfjs' scalar tensors hold it (`sub(1, accBeta1)`
   * and so on).
   */
  stepAttrs(): AdamAttrs {
    const s = this.#state();
    const f = Math.fround;
    return {
      beta1: f(s.beta1),
      oneMinusBeta1: f(1 - s.beta1),
      beta2: f(s.beta2),
      oneMinusBeta2: f(1 - s.beta2),
      c1: f(1 - this.#accBeta[0]),
      c2: f(1 - this.#accBeta[1]),
      epsilon: f(s.epsilon),
      negLr: f(-s.learningRate),
    };
  }

  /** The moments of the `i`-th variable of the update (`value`), made (zeros) on first use. */
  slots(i: number, name: string, value: tf.Tensor): AdamSlots {
    const s = this.#state();
    const slot = (suffix: string) => ({
      originalName: `${name}/${suffix}`,
      variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
    });
    s.accumulatedFirstMoment[i] ??= slot("m");
    s.accumulatedSecondMoment[i] ??= slot("v");
    return {
      m: s.accumulatedFirstMoment[i]!.variable,
      v: s.accumulatedSecondMoment[i]!.variable,
    };
  }

  /** Ends a step: β1^t and β2^t advance and the iteration count goes up, as tfjs' Adam does. */
  advance(): void {
    const s = this.#state();
    const [acc1, acc2] = this.#accBeta;
    // tf.mul(acc, beta) in float32.
    this.#accBeta = [
      Math.fround(acc1 * Math.fround(s.beta1)),
      Math.fround(acc2 * Math.fround(s.beta2)),
    ];
    for (
      const [acc, beta, next] of [
        [s.accBeta1, s.beta1, this.#accBeta[0]],
        [s.accBeta2, s.beta2, this.#accBeta[1]],
      ] as const
    ) {
      const data = scalarData(acc);
      // Written in place when no other tensor shares the data.
      if (data === null) tf.tidy(() => acc.assign(tf.mul(acc, beta)));
      else data[0] = next;
    }
    this.incrementIterations();
  }

  override applyGradients(gradients: Parameters<tf.AdamOptimizer["applyGradients"]>[0]): void {
    if (tf.getKernel(ADAM, tf.getBackend()) === undefined) {
      super.applyGradients(gradients);
      return;
    }
    const names = Array.isArray(gradients) ? gradients.map((g) => g.name) : Object.keys(gradients);
    const attrs = this.stepAttrs();
    tf.tidy(() => {
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name];
        const { m, v } = this.slots(i, name, value);
        const g = Array.isArray(gradients) ? gradients[i].tensor : gradients[name];
        if (g == null) return;
        const [x1, m1, v1] = tf.engine().runKernel(
          ADAM,
          { x: value, m, v, g },
          attrs,
        ) as tf.Tensor[];
        m.assign(m1);
        v.assign(v1);
        value.assign(x1);
      });
    });
    this.advance();
  }
}
