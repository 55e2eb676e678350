/**
 * The head of the fused training step: softmax, the layers' (sparse) categorical cross-entropy,
 * the accuracy metric and the gradient by the logits, in JavaScript on a few hundred floats. Each
 * operation rounds to float32 as the tfjs kernel it replaces does (the chain that tfjs-layers'
 * `sparseCategoricalCrossentropy` and tfjs' gradients run), so that the gradient it hands the
 * layers below equals tfjs' bit for bit.
 */
import { softmaxRows } from "./_elementwise.ts";

const f = Math.fround;
/** tfjs-layers' epsilon() and 1 - epsilon(), as the clip's attributes (float64) hold them. */
const LOW = 1e-7, HIGH = 1 - 1e-7;
/** The same bounds as the float32 scalars the clip's gradient compares with. */
const LOW32 = f(LOW), HIGH32 = f(HIGH);

function clip(v: number): number {
  return f(v > HIGH ? HIGH : v < LOW ? LOW : v);
}

function inRange(v: number): boolean {
  return v >= LOW32 && v <= HIGH32;
}

/** Σ of row `i` (k floats) accumulated in float64 in index order, as tfjs' Sum then float32. */
function rowSum(x: Float32Array, i: number, k: number): number {
  let s = 0;
  for (let j = i * k; j < (i + 1) * k; j++) s += x[j];
  return f(s);
}

/** Mean of n floats as tfjs' Mean kernel: Σ fround(x / n) in float64, then float32. */
function mean(x: Float32Array): number {
  const n = f(x.length);
  let s = 0;
  for (let i = 0; i < x.length; i++) s += f(x[i] / n);
  return f(s);
}

/** What {@linkcode crossEntropyHead} reports for a batch. */
export interface HeadOutcome {
  /** Mean cross-entropy, as the layers' training function reports it. */
  loss: number;
  /** Share of rows whose largest probability is at the label. */
  accuracy: number;
}

/**
 * For logits [n, k] and targets: the loss and accuracy of the batch, and `dLogits` [n, k], the
 * gradient of the mean loss by the logits through softmax (`probs` is scratch for them).
 * `soft` false: `targets` holds n class labels and the loss is the layers'
 * sparseCategoricalCrossentropy (which clips the probabilities before it scales them), with
 * sparseCategoricalAccuracy. `soft` true: `targets` holds n rows of k target probabilities and the
 * loss is categoricalCrossentropy (no first clip), with categoricalAccuracy (argmax of the target,
 * the first of equal values, as tfjs' argMax, against argmax of the prediction).
 */
export function crossEntropyHead(
  logits: Float32Array,
  targets: ArrayLike<number>,
  k: number,
  probs: Float32Array,
  dLogits: Float32Array,
  soft = false,
): HeadOutcome {
  const n = logits.length / k;
  softmaxRows(logits, probs, k);
  const losses = new Float32Array(n), hits = new Float32Array(n);
  const clipped = new Float32Array(k), quotient = new Float32Array(k), t = new Float32Array(k);
  const g5 = new Float32Array(k), weighted = new Float32Array(k), dClipped = new Float32Array(k);
  // d(mean)/d(loss_i) · d(-Σ)/d(·): ones · (1 / n), negated, spread over the row.
  const dRow = -f(1 / f(n));
  for (let i = 0; i < n; i++) {
    const y = probs.subarray(i * k, (i + 1) * k);
    let label = 0;
    if (soft) {
      for (let j = 0; j < k; j++) t[j] = targets[i * k + j];
      for (let j = 1; j < k; j++) if (t[j] > t[label]) label = j;
    } else {
      label = Math.floor(targets[i]);
      for (let j = 0; j < k; j++) t[j] = j === label ? 1 : 0;
    }
    // sparse clips the probabilities first; categorical scales them as they are.
    for (let j = 0; j < k; j++) clipped[j] = soft ? y[j] : clip(y[j]);
    const s = rowSum(clipped, 0, k); // output / sum(output), as categoricalCrossentropy scales
    let loss = 0, best = 0;
    for (let j = 0; j < k; j++) {
      quotient[j] = f(clipped[j] / s);
      if (y[j] > y[best]) best = j;
    }
    for (let j = 0; j < k; j++) loss += f(t[j] * f(Math.log(clip(quotient[j]))));
    losses[i] = -f(loss);
    hits[i] = best === label ? 1 : 0;
    // Backward, kernel by kernel: t · dy, / q2 (log), the clip's mask, then the quotient's
    // gradient by its numerator and (summed) by the row's sum, added.
    for (let j = 0; j < k; j++) {
      const g4 = f(f(dRow * t[j]) / clip(quotient[j]));
      g5[j] = inRange(quotient[j]) ? g4 : 0;
      weighted[j] = f(g5[j] * clipped[j]);
    }
    const dSum = -f(rowSum(weighted, 0, k) / f(s * s));
    for (let j = 0; j < k; j++) dClipped[j] = f(f(g5[j] / s) + dSum);
    // The first clip's mask (sparse only), then softmax's gradient: dy·y - Σ(dy·y)·y.
    const dyy = weighted; // reused: [k]
    for (let j = 0; j < k; j++) {
      dyy[j] = f((soft || inRange(y[j]) ? dClipped[j] : 0) * y[j]);
    }
    const total = rowSum(dyy, 0, k);
    for (let j = 0; j < k; j++) dLogits[i * k + j] = f(dyy[j] - f(total * y[j]));
  }
  return { loss: mean(losses), accuracy: mean(hits) };
}
