/** One epoch of a run: Keras' running means over the epoch, then the validation figures. */
export interface EpochRecord {
  epoch: number;
  loss: number;
  accuracy: number;
  valLoss: number;
  valAccuracy: number;
  seconds: number;
  samplesPerSecond: number;
}

/** `history.json`: one record per completed epoch. */
export interface History {
  epochs: EpochRecord[];
}

/** `metrics.json`: the notebook's train/validation evaluation of the saved model, and the run. */
export interface RunMetrics {
  train: { loss: number; accuracy: number };
  validation: { loss: number; accuracy: number };
  /** The tfjs backend that trained the model. */
  backend: string;
  /** The WebGPU adapter's description, or `null` off WebGPU. */
  adapter: string | null;
  /** Training images per second, over the training steps only. */
  samplesPerSecond: number;
  /** Completed epochs. */
  epochs: number;
  /** The epoch whose weights `model/` holds (best validation accuracy). */
  bestEpoch: number | null;
  trainSize: number;
  validationSize: number;
  /** Seconds spent in training steps. */
  trainSeconds: number;
  /** Seconds from the first step to the end of the evaluation. */
  wallSeconds: number;
  /** Whether the run stopped before its last epoch (Ctrl-C). */
  interrupted: boolean;
  recipe: string;
}
