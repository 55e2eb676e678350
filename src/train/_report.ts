import type * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { type DigitSet, IMAGE_PIXELS } from "../data/types.ts";
import { writeFileAtomically } from "../io/mod.ts";
import {
  renderConfusionMatrix,
  renderDigitGrid,
  renderHistoryChart,
  renderModelDiagram,
  renderTsne,
  tsne,
} from "../report/mod.ts";
import type { TrainConfig } from "./config.ts";
import type { Evaluation } from "./evaluate.ts";
import { predictDigits } from "./evaluate.ts";
import { formatSubmission } from "./submission.ts";
import type { History } from "./types.ts";

/** Digits drawn in the t-SNE picture. */
const TSNE_SAMPLE = 1000;

/** What the notebook shows before training: the model diagram, a 5×5 grid, optionally t-SNE. */
export async function writeStartReport(
  runDir: string,
  model: tf.LayersModel,
  train: DigitSet,
  config: TrainConfig,
): Promise<void> {
  await writeFileAtomically(join(runDir, "model.png"), await renderModelDiagram(model));
  const n = Math.min(25, train.count);
  await writeFileAtomically(
    join(runDir, "train_digits.png"),
    await renderDigitGrid(train.images.subarray(0, n * IMAGE_PIXELS), {
      rows: 5,
      cols: 5,
      labels: train.labels?.subarray(0, n),
      title: "Training digits",
    }),
  );
  if (config.tsne) {
    const count = Math.min(TSNE_SAMPLE, train.count);
    const points = new Float32Array(count * IMAGE_PIXELS);
    for (let i = 0; i < points.length; i++) points[i] = train.images[i] / 255;
    const embedding = tsne(points, count, IMAGE_PIXELS, { seed: config.seed });
    await writeFileAtomically(
      join(runDir, "tsne.png"),
      await renderTsne(embedding, train.labels?.subarray(0, count) ?? new Uint8Array(count)),
    );
  }
}

/** What the notebook shows after training: curves, the green/red grid, the confusion matrix. */
export async function writeFinalReport(
  runDir: string,
  run: {
    model: tf.LayersModel;
    history: History;
    validation: DigitSet;
    valEval: Evaluation;
    test: DigitSet | null;
    config: TrainConfig;
  },
): Promise<void> {
  const { history, validation, valEval } = run;
  const series = {
    epoch: history.epochs.map((e) => e.epoch),
    loss: history.epochs.map((e) => e.loss),
    valLoss: history.epochs.map((e) => e.valLoss),
    accuracy: history.epochs.map((e) => e.accuracy),
    valAccuracy: history.epochs.map((e) => e.valAccuracy),
  };
  if (series.epoch.length > 0) {
    await writeFileAtomically(join(runDir, "loss.png"), await renderHistoryChart(series, "loss"));
    await writeFileAtomically(
      join(runDir, "accuracy.png"),
      await renderHistoryChart(series, "accuracy"),
    );
  }
  const n = Math.min(196, validation.count);
  await writeFileAtomically(
    join(runDir, "validation_predictions.png"),
    await renderDigitGrid(validation.images.subarray(0, n * IMAGE_PIXELS), {
      rows: 14,
      cols: 14,
      labels: validation.labels?.subarray(0, n),
      predictions: valEval.predictions.subarray(0, n),
      title: "Validation digits: predicted label, green when right, red when wrong",
    }),
  );
  if (validation.labels !== null) {
    await writeFileAtomically(
      join(runDir, "confusion_matrix.png"),
      await renderConfusionMatrix(validation.labels, valEval.predictions, {
        title: "Confusion matrix (validation)",
      }),
    );
  }
  if (run.test !== null) {
    const { predictions } = await predictDigits(run.model, run.test);
    const csv = new TextEncoder().encode(formatSubmission(predictions));
    await writeFileAtomically(join(runDir, "submission.csv"), csv);
  }
}
