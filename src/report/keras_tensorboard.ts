import { join } from "node:path";
import { createTensorBoardWriter } from "./tensorboard_writer.ts";

/** One epoch's metrics, as the training loop reports them. */
export interface EpochLogs {
  /** Training loss. */
  loss: number;
  /** Training accuracy. */
  accuracy: number;
  /** Validation loss, when there is a validation set. */
  valLoss?: number;
  /** Validation accuracy, when there is a validation set. */
  valAccuracy?: number;
}

/** Writes per-epoch scalars laid out as Keras' `TensorBoard` callback does. */
export interface KerasTensorBoard {
  /** Writes `epoch_loss` and `epoch_accuracy` to `train/` and, if given, `validation/`. */
  logEpoch(epoch: number, logs: EpochLogs): void;
  /** Closes both event files. */
  close(): void;
}

/**
 * Opens `dir/train` and `dir/validation` event files, the layout `tensorboard --logdir dir` shows
 * as two runs with the tags `epoch_loss` and `epoch_accuracy`, as Keras writes them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * const board = createKerasTensorBoard(dir);
 * board.logEpoch(0, { loss: 0.3, accuracy: 0.9, valLoss: 0.2, valAccuracy: 0.95 });
 * board.close();
 * assert.equal([...Deno.readDirSync(`${dir}/validation`)].length, 1);
 * ```
 */
export function createKerasTensorBoard(dir: string): KerasTensorBoard {
  const train = createTensorBoardWriter(join(dir, "train"));
  const validation = createTensorBoardWriter(join(dir, "validation"));
  return {
    logEpoch(epoch: number, logs: EpochLogs): void {
      train.scalar("epoch_loss", logs.loss, epoch);
      train.scalar("epoch_accuracy", logs.accuracy, epoch);
      if (logs.valLoss !== undefined) validation.scalar("epoch_loss", logs.valLoss, epoch);
      if (logs.valAccuracy !== undefined) {
        validation.scalar("epoch_accuracy", logs.valAccuracy, epoch);
      }
    },
    close(): void {
      train.close();
      validation.close();
    },
  };
}
