/** Keeps the weights of the epoch with the best validation accuracy, in memory and on disk. */
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { saveLayersModel } from "../io/mod.ts";

/** The best epoch so far, as `model/` holds it. */
export interface Checkpoint {
  epoch: number;
  accuracy: number;
}

/** See {@linkcode createCheckpointer}. */
export interface Checkpointer {
  /** The best epoch so far, or null before the first. */
  readonly best: Checkpoint | null;
  /** Saves the model as `model/` when `accuracy` beats the best so far; true when it did. */
  offer(epoch: number, accuracy: number): Promise<boolean>;
  /**
   * Puts the best weights back into the model (or, when no epoch completed, saves the model as
   * it is, rather than nothing) and frees the copies.
   */
  restore(): Promise<void>;
}

/** A checkpointer that writes `runDir/model` for `model`. */
export function createCheckpointer(model: tf.LayersModel, runDir: string): Checkpointer {
  const dir = join(runDir, "model");
  let best: Checkpoint | null = null;
  let weights: tf.Tensor[] = [];
  return {
    get best() {
      return best;
    },
    async offer(epoch, accuracy) {
      if (best !== null && accuracy <= best.accuracy) return false;
      tf.dispose(weights);
      weights = model.getWeights().map((w) => w.clone());
      best = { epoch, accuracy };
      await saveLayersModel(model, dir);
      return true;
    },
    async restore() {
      if (best === null) await saveLayersModel(model, dir);
      else model.setWeights(weights);
      tf.dispose(weights);
      weights = [];
    },
  };
}
