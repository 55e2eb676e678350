/** One epoch of a run: Keras' running means over the epoch, then the validation figures. */
export interface EpochRecord {
  /** The epoch's number, from 1. */
  epoch: number;
  /** Mean training loss over the epoch's batches (sparse categorical cross-entropy). */
  loss: number;
  /** Mean training accuracy over the epoch's batches, 0-1. */
  accuracy: number;
  /** Loss on the validation set after the epoch. */
  valLoss: number;
  /** Accuracy on the validation set after the epoch, 0-1. */
  valAccuracy: number;
  /** Seconds of training steps in the epoch. */
  seconds: number;
  /** Training images per second in the epoch. */
  samplesPerSecond: number;
}

/** `history.json`: one record per completed epoch. */
export interface History {
  /** The completed epochs, in order. */
  epochs: EpochRecord[];
}

/** `metrics.json`: the notebook's train/validation evaluation of the saved model, and the run. */
export interface RunMetrics {
  /** Loss and accuracy (0-1) of the saved model on the training set. */
  train: { loss: number; accuracy: number };
  /** Loss and accuracy (0-1) of the saved model on the validation set. */
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
  /** Images in the training set. */
  trainSize: number;
  /** Images in the validation set. */
  validationSize: number;
  /** Seconds spent in training steps. */
  trainSeconds: number;
  /** Seconds from the first step to the end of the evaluation. */
  wallSeconds: number;
  /** Whether the run stopped before its last epoch (Ctrl-C). */
  interrupted: boolean;
  /** The training recipe: `notebook` or `robust`. */
  recipe: string;
}
