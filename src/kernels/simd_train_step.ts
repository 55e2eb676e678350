/** The training step of a layers CNN on "simd" as straight calls into the WebAssembly kernels. */
import * as tf from "@tensorflow/tfjs";
import type { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import { alloc, f32, release } from "./_heap.ts";
import { convFilterAt, convForwardAt, convInputAt } from "./_conv.ts";
import { FusedAdamOptimizer } from "./_fused_adam.ts";
import { productAt } from "./_matmul.ts";
import { maxPoolAt, maxPoolGradAt } from "./_pool.ts";
import { crossEntropyHead, type HeadOutcome } from "./_step_loss.ts";
import { type LayerSpec, planOf, poolable, type StepPlan } from "./_step_plan.ts";
import { output, pointer } from "./_storage.ts";
import { run } from "./_threads.ts";
import { SIMD_BACKEND } from "./register_simd_backend.ts";

type Info = tf.backend_util.Conv2DInfo;

/** A training step that runs without tfjs' engine; see {@linkcode simdTrainStep}. */
export interface SimdTrainStep {
  /**
   * Trains on `n` images (`pixels`: [n, H, W, C] float32, the model's input encoding) with their
   * `targets`: n class labels for sparseCategoricalCrossentropy, n rows of as many probabilities
   * as the model has outputs for categoricalCrossentropy; returns the batch's loss and accuracy
   * as `trainOnBatch` would.
   */
  run(pixels: Float32Array, targets: ArrayLike<number>, n: number): HeadOutcome;
  /** Frees the step's buffers (the model and the optimizer stay). */
  dispose(): void;
}

/** Options of {@linkcode simdTrainStep}. */
export interface SimdTrainStepOptions {
  /** Told why, when the step declines a model. @default {nothing} */
  reason?: (why: string) => void;
  /**
   * Told the milliseconds of every part of each step (the layers by kind, forward and backward
   * together with their relu and bias gradients; the loss head; Adam), for `deno task bench
   * step`. @default {no timing}
   */
  timing?: (part: string, ms: number) => void;
}

/** The part of a step each layer kind's time goes to, in {@linkcode SimdTrainStepOptions}. */
const PARTS: Record<LayerSpec["kind"], string> = {
  conv: "convolutions (with bias and relu) and their gradients",
  pool: "max pooling and its gradient",
  dense: "dense layers (with bias and relu) and their gradients",
  dropout: "dropout and its gradient",
  flatten: "flatten",
};

/** A layer for one batch size: its buffers (heap addresses) and geometry. */
interface Stage {
  spec: LayerSpec;
  /** Floats per image of the layer's output. */
  size: number;
  info: Info | null;
  out: number;
  /** The gradient by the layer's output (a flatten shares its input's buffers). */
  dOut: number;
  /** The dropout multiplier, or the weights' gradients [kernel, bias]. */
  extra: number[];
}

function sizeOf(shape: number[]): number {
  return shape.reduce((p, q) => p * q, 1);
}

/** The buffers and geometry of every layer for batches of `n`. */
class Batch {
  readonly stages: Stage[] = [];
  readonly x: number;
  /** Dropout masks drawn with a seed are the same every step: drawn once. */
  readonly masked = new Set<Stage>();

  private constructor(readonly n: number, plan: StepPlan, readonly blocks: number[]) {
    const block = (floats: number) => {
      const p = alloc(floats);
      if (p === null) {
        throw new RangeError(`Cannot train a batch of ${n} on simd: the heap is full`);
      }
      this.blocks.push(p);
      return p;
    };
    let shape: number[] = plan.input;
    this.x = block(n * sizeOf(shape));
    let out = this.x, dOut = -1; // -1: the gradient by the model's input, never formed
    for (const spec of plan.layers) {
      let info: Info | null = null;
      let extra: number[] = [];
      if (spec.kind === "conv") {
        const filter = spec.kernel.read().shape;
        info = tf.backend_util.computeConv2DInfo(
          [n, ...shape] as [number, number, number, number],
          filter as [number, number, number, number],
          spec.strides,
          spec.dilations,
          spec.pad,
        );
        shape = info.outShape.slice(1);
        extra = [block(sizeOf(filter)), block(info.outChannels)];
      } else if (spec.kind === "pool") {
        if (!poolable(shape[2])) {
          throw new RangeError(`Cannot fuse pooling of ${shape[2]} channels`);
        }
        info = tf.backend_util.computePool2DInfo(
          [n, ...shape] as [number, number, number, number],
          spec.size,
          spec.strides,
          1,
          spec.pad,
        );
        shape = info.outShape.slice(1);
      } else if (spec.kind === "flatten") {
        shape = [sizeOf(shape)];
      } else if (spec.kind === "dense") {
        const [inputs, units] = spec.kernel.read().shape;
        if (inputs !== sizeOf(shape)) throw new RangeError(`Dense ${inputs} after ${shape}`);
        shape = [units];
        extra = [block(inputs * units), block(units)];
      } else {
        extra = [block(n * sizeOf(shape))];
      }
      const size = sizeOf(shape);
      const reshaped = spec.kind === "flatten";
      out = reshaped ? out : block(n * size);
      dOut = reshaped ? dOut : block(n * size);
      this.stages.push({ spec, size, info, out, dOut, extra });
    }
  }

  /** The buffers for batches of `n`, or a RangeError (nothing kept) when the heap is full. */
  static make(n: number, plan: StepPlan): Batch {
    const blocks: number[] = [];
    try {
      return new Batch(n, plan, blocks);
    } catch (e) {
      for (const p of blocks) release(p);
      throw e;
    }
  }

  dispose(): void {
    for (const p of this.blocks.splice(0)) release(p);
  }
}

/** The dropout multiplier of tf.dropout: floor(u + keep) / keep, u uniform in [0, 1). */
function drawMask(batch: Batch, stage: Stage, spec: { rate: number; seed?: number }): void {
  if (spec.seed !== undefined && batch.masked.has(stage)) return;
  const keep = Math.fround(1 - spec.rate);
  const mask = f32(stage.extra[0], batch.n * stage.size);
  const u = tf.randomUniform([batch.n, stage.size], 0, 1, "float32", spec.seed);
  const values = u.dataSync();
  u.dispose();
  for (let i = 0; i < mask.length; i++) {
    mask[i] = Math.fround(Math.floor(Math.fround(values[i] + keep)) / keep);
  }
  if (spec.seed !== undefined) batch.masked.add(stage);
}

type Clock = ((part: string, start: number) => void) | null;

function forward(batch: Batch, weight: (s: Stage, i: number) => number, clock: Clock): number {
  const { n } = batch;
  let input = batch.x, inSize = 0;
  for (const stage of batch.stages) {
    const { spec, out, info } = stage;
    const start = clock === null ? 0 : performance.now();
    if (spec.kind === "conv") {
      convForwardAt(
        info!,
        input,
        weight(stage, 0),
        spec.bias ? weight(stage, 1) : null,
        out,
        spec.relu,
      );
    } else if (spec.kind === "pool") {
      maxPoolAt(info!, input, out);
    } else if (spec.kind === "dense") {
      const shape = { m: n, n: stage.size, k: inSize, ta: false, tb: false };
      const bias = spec.bias ? weight(stage, 1) : null;
      productAt(input, weight(stage, 0), out, shape, { bias, relu: spec.activation === "relu" });
    } else if (spec.kind === "dropout") {
      if (spec.rate > 0) drawMask(batch, stage, spec);
      if (spec.rate > 0) {
        run("binary", [2, 0, input, stage.extra[0], out, n * stage.size, n * stage.size]);
      } else f32(out, n * stage.size).set(f32(input, n * stage.size));
    }
    clock?.(PARTS[spec.kind], start);
    input = out;
    inSize = stage.size;
  }
  return input;
}

function backward(batch: Batch, weight: (s: Stage, i: number) => number, clock: Clock): void {
  const { n, stages } = batch;
  for (let i = stages.length - 1; i >= 0; i--) {
    const stage = stages[i];
    const start = clock === null ? 0 : performance.now();
    const { spec, info, out, dOut, extra } = stage;
    const input = i === 0 ? batch.x : stages[i - 1].out;
    const inSize = i === 0 ? 0 : stages[i - 1].size;
    const dIn = i === 0 || stages[i - 1].dOut < 0 ? null : stages[i - 1].dOut;
    const count = n * stage.size;
    if (spec.kind === "conv" || spec.kind === "dense") {
      // relu's gradient from its output (out > 0 exactly where its input is), in place.
      const relu = spec.kind === "conv" ? spec.relu : spec.activation === "relu";
      if (relu) run("reluGrad", [dOut, out, dOut, count]);
      const channels = spec.kind === "conv" ? info!.outChannels : stage.size;
      if (spec.bias) run("sumRows", [dOut, extra[1], count / channels, channels]);
    }
    if (spec.kind === "conv") {
      convFilterAt(info!, input, dOut, extra[0]);
      if (dIn !== null) convInputAt(info!, dOut, weight(stage, 0), dIn);
    } else if (spec.kind === "dense") {
      const w = weight(stage, 0);
      productAt(input, dOut, extra[0], { m: inSize, n: stage.size, k: n, ta: true, tb: false });
      if (dIn !== null) {
        productAt(dOut, w, dIn, { m: n, n: inSize, k: stage.size, ta: false, tb: true });
      }
    } else if (spec.kind === "pool" && dIn !== null) {
      maxPoolGradAt(info!, dOut, input, dIn);
    } else if (spec.kind === "dropout" && dIn !== null) {
      if (spec.rate > 0) run("binary", [2, 0, dOut, extra[0], dIn, count, count]);
      else f32(dIn, count).set(f32(dOut, count));
    }
    clock?.(PARTS[spec.kind], start);
  }
}

/** A float32 variable's heap address, moved to a block of its own when another tensor shares it. */
function ownBlock(backend: MathBackendCPU, v: tf.Variable): number {
  const p = pointer(backend, v);
  if (p === null) throw new RangeError(`Cannot train on simd: the heap is full`);
  if (backend.refCount(v.dataId) <= 1) return p;
  const copy = output(backend, v.shape);
  if (copy === null) throw new RangeError(`Cannot train on simd: the heap is full`);
  copy.view.set(f32(p, copy.view.length));
  const t = tf.engine().makeTensorFromTensorInfo(copy.info);
  v.assign(t);
  t.dispose();
  return copy.ptr;
}

/**
 * The training step of a compiled layers model on the "simd" backend as direct calls into its
 * WebAssembly kernels: the forward pass, the loss, the gradients and Adam's update of every
 * weight in place, with no tfjs kernel call, tape or tensor on the way (about 180 engine calls
 * a step fewer). The arithmetic is the layers' and tfjs' own, operation for operation in
 * float32 on the same kernels, so the weights after each step equal those of `trainOnBatch` on
 * "simd" bit for bit. Returns null (and tfjs trains as before) unless the backend is "simd",
 * the optimizer is {@linkcode adamOptimizer}'s, the loss `sparseCategoricalCrossentropy` (class
 * labels) or `categoricalCrossentropy` (a target distribution per image, soft targets included)
 * with the one metric `accuracy`, and the model a chain of channels-last `conv2d` (relu or linear),
 * `maxPooling2d`, `flatten`, `dense` (relu or linear) and `dropout` layers ending in a dense
 * softmax, with no regularizer or constraint; `options.reason` then says why.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { adamOptimizer, registerSimdBackend, simdTrainStep } from "./mod.ts";
 * import { ok } from "node:assert/strict";
 * await registerSimdBackend();
 * await tf.setBackend("simd");
 * const model = tf.sequential({ layers: [
 *   tf.layers.flatten({ inputShape: [2, 2, 1] }),
 *   tf.layers.dense({ units: 2, activation: "softmax" }),
 * ] });
 * model.compile({ optimizer: adamOptimizer(0.1), loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] });
 * const step = simdTrainStep(model)!;
 * const first = step.run(new Float32Array([1, 0, 0, 1]), [1], 1).loss;
 * ok(step.run(new Float32Array([1, 0, 0, 1]), [1], 1).loss < first);
 * step.dispose();
 * model.dispose();
 * ```
 */
export function simdTrainStep(
  model: tf.LayersModel,
  options: SimdTrainStepOptions = {},
): SimdTrainStep | null {
  const reason = options.reason ?? (() => {});
  const timing = options.timing;
  const clock: Clock = timing === undefined
    ? null
    : (part, start) => timing(part, performance.now() - start);
  if (tf.getBackend() !== SIMD_BACKEND) return reason("the backend is not simd"), null;
  const optimizer = model.optimizer;
  if (!FusedAdamOptimizer.is(optimizer)) {
    return reason("the optimizer is not adamOptimizer()"), null;
  }
  const plan = planOf(model);
  if (typeof plan === "string") return reason(plan), null;
  const backend = tf.backend() as MathBackendCPU;
  const head = plan.layers[plan.layers.length - 1] as { kernel: { read(): tf.Variable } };
  const classes = head.kernel.read().shape[1]!; // the model ends in a dense softmax
  const batches = new Map<number, Batch>();
  const variables = plan.weights.map((w) => w.read());
  const slots = variables.map((v, i) => optimizer.slots(i, v.name, v));
  let pointers: number[] = [];
  const weight = (stage: Stage, i: number) => {
    const spec = stage.spec as { kernel: { read(): tf.Variable }; bias: { read(): tf.Variable } };
    return pointers[variables.indexOf((i === 0 ? spec.kernel : spec.bias).read())];
  };
  const gradients = (batch: Batch) =>
    batch.stages.flatMap((s) =>
      s.spec.kind === "conv" || s.spec.kind === "dense"
        ? [s.extra[0], ...(s.spec.bias ? [s.extra[1]] : [])]
        : []
    );
  return {
    run(pixels, targets, n) {
      if (tf.getBackend() !== SIMD_BACKEND) throw new Error("The simd step ran on another backend");
      const perImage = sizeOf(plan.input);
      const soft = plan.loss === "categorical";
      const k = soft ? classes : 1;
      const what = soft ? "target probabilities" : "labels";
      if (!(n >= 1) || pixels.length !== n * perImage || targets.length < n * k) {
        throw new RangeError(
          `Cannot train on a batch of ${n}: expected ${n * perImage} pixels and ${
            n * k
          } ${what}, ` +
            `found ${pixels.length} and ${targets.length}`,
        );
      }
      let batch = batches.get(n);
      if (batch === undefined) batches.set(n, batch = Batch.make(n, plan));
      let start = clock === null ? 0 : performance.now();
      f32(batch.x, pixels.length).set(pixels);
      pointers = variables.map((v) => ownBlock(backend, v));
      clock?.("the batch into the heap, the weights' addresses", start);
      const last = batch.stages[batch.stages.length - 1];
      const logits = forward(batch, weight, clock);
      start = clock === null ? 0 : performance.now();
      const outcome = crossEntropyHead(
        f32(logits, n * last.size),
        targets,
        last.size,
        new Float32Array(n * last.size),
        f32(last.dOut, n * last.size),
        soft,
      );
      clock?.("softmax, loss, accuracy and their gradient (JavaScript)", start);
      backward(batch, weight, clock);
      start = clock === null ? 0 : performance.now();
      const attrs = optimizer.stepAttrs();
      const grads = gradients(batch);
      variables.forEach((v, i) => {
        const [pm, pv] = [ownBlock(backend, slots[i].m), ownBlock(backend, slots[i].v)];
        const px = pointers[i];
        run("adam", [
          px,
          pm,
          pv,
          grads[i],
          px,
          pm,
          pv,
          sizeOf(v.shape),
          attrs.beta1,
          attrs.oneMinusBeta1,
          attrs.beta2,
          attrs.oneMinusBeta2,
          attrs.c1,
          attrs.c2,
          attrs.epsilon,
          attrs.negLr,
        ]); // deno-fmt-ignore
      });
      optimizer.advance();
      clock?.("Adam's update", start);
      return outcome;
    },
    dispose() {
      for (const b of batches.values()) b.dispose();
      batches.clear();
    },
  };
}
