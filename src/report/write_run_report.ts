import type * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import type { DigitSet } from "../data/types.ts";
import { IMAGE_PIXELS } from "../data/types.ts";
import { renderConfusionMatrix } from "./render_confusion_matrix.ts";
import { renderDigitGrid } from "./render_digit_grid.ts";
import { renderHistoryChart, type TrainingHistory } from "./render_history_chart.ts";
import { renderModelDiagram } from "./render_model_diagram.ts";
import { renderTsne } from "./render_tsne.ts";
import { tsne } from "./tsne.ts";

/** What {@linkcode writeRunReport} draws; each picture is written only when its inputs are given. */
export interface RunReportInputs {
  /** Per-epoch history: `loss.png` and `accuracy.png`. */
  history?: TrainingHistory;
  /** Labelled training digits: `train_digits.png`, a 5×5 grid. */
  train?: DigitSet;
  /** Labelled validation digits with `predictions`: `validation_predictions.png` (14×14) and `confusion_matrix.png`. */
  validation?: DigitSet;
  /** Predicted class of each validation digit. */
  predictions?: ArrayLike<number>;
  /** The model: `model.png`. */
  model?: tf.LayersModel;
  /** Number of training digits for `tsne.png` (0 = none). @default 0 */
  tsneSample?: number;
  /** Seed of the t-SNE layout. @default 1 */
  seed?: number;
}

/**
 * Writes the run's PNG pictures into `dir` and returns the file names written.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * const history = { epoch: [1], loss: [0.5], valLoss: [0.4], accuracy: [0.8], valAccuracy: [0.85] };
 * assert.deepEqual(await writeRunReport(dir, { history }), ["loss.png", "accuracy.png"]);
 * ```
 */
export async function writeRunReport(dir: string, inputs: RunReportInputs): Promise<string[]> {
  await Deno.mkdir(dir, { recursive: true });
  const written: string[] = [];
  const save = async (name: string, png: Promise<Uint8Array>): Promise<void> => {
    await Deno.writeFile(join(dir, name), await png);
    written.push(name);
  };
  const { history, train, validation, predictions, model } = inputs;
  if (history) {
    await save("loss.png", renderHistoryChart(history, "loss"));
    await save("accuracy.png", renderHistoryChart(history, "accuracy"));
  }
  if (train?.labels && train.count >= 1) {
    const side = Math.min(5, Math.floor(Math.sqrt(train.count)));
    const grid = { rows: side, cols: side, labels: train.labels, title: "Training digits" };
    await save("train_digits.png", renderDigitGrid(train.images, grid));
  }
  if (validation?.labels && predictions) {
    const side = Math.min(14, Math.floor(Math.sqrt(validation.count)));
    if (side > 0) {
      const grid = { rows: side, cols: side, labels: validation.labels, predictions };
      await save(
        "validation_predictions.png",
        renderDigitGrid(validation.images, { ...grid, title: "Validation: predicted (true)" }),
      );
    }
    await save("confusion_matrix.png", renderConfusionMatrix(validation.labels, predictions));
  }
  if (model) await save("model.png", renderModelDiagram(model));
  const sample = Math.min(inputs.tsneSample ?? 0, train?.count ?? 0);
  if (train?.labels && sample >= 2) {
    const points = Float32Array.from(
      train.images.subarray(0, sample * IMAGE_PIXELS),
      (v) => v / 255,
    );
    const embedding = tsne(points, sample, IMAGE_PIXELS, { seed: inputs.seed ?? 1 });
    await save("tsne.png", renderTsne(embedding, train.labels.subarray(0, sample)));
  }
  return written;
}
