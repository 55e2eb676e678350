import * as tf from "@tensorflow/tfjs";
import { IMAGE_SIZE, NUM_CLASSES } from "../data/types.ts";

/** Options for {@linkcode createModel}. */
export interface CreateModelOptions {
  /** Dropout rate before the last layer. @default {0.2} */
  dropout?: number;
  /** Seed for the weight initialisers, so that two models built with one seed are identical. */
  seed?: number;
  /** Filters of the two convolutions (the notebook's: 8 and 16). @default {[8, 16]} */
  filters?: [number, number];
  /** Units of the hidden dense layer (the notebook's: 128). @default {128} */
  units?: number;
}

/**
 * Builds the notebook's CNN: conv 5×5×8 → maxpool → conv 5×5×16 → maxpool → flatten →
 * dense 128 relu → dropout 0.2 → dense 10 softmax. Input `[batch, 28, 28, 1]` scaled to 0-1.
 * `filters` and `units` widen it (same layers and names, more channels and units).
 *
 * @throws {RangeError} When a filter count or `units` is not a positive integer.
 *
 * @example
 * ```ts
 * import { createModel } from "./create_model.ts";
 * import { equal } from "node:assert/strict";
 * const model = createModel();
 * equal(model.countParams(), 37610);
 * model.dispose();
 * const wide = createModel({ filters: [16, 32], units: 128 });
 * equal(wide.countParams(), 80202);
 * wide.dispose();
 * ```
 */
export function createModel(options: CreateModelOptions = {}): tf.Sequential {
  const { dropout = 0.2, seed, filters = [8, 16], units = 128 } = options;
  const sizes = { "filters[0]": filters[0], "filters[1]": filters[1], units };
  for (const [what, value] of Object.entries(sizes)) {
    if (!Number.isInteger(value) || value < 1) {
      throw new RangeError(`createModel: ${what} must be a positive integer, got ${value}`);
    }
  }
  const init = (offset: number) =>
    seed === undefined ? "glorotUniform" : tf.initializers.glorotUniform({ seed: seed + offset });
  const model = tf.sequential({ name: "digits_cnn" });
  model.add(tf.layers.conv2d({
    name: "conv1",
    inputShape: [IMAGE_SIZE, IMAGE_SIZE, 1],
    filters: filters[0],
    kernelSize: 5,
    activation: "relu",
    kernelInitializer: init(1),
  })); // [b, 24, 24, f0]
  model.add(tf.layers.maxPooling2d({ name: "pool1", poolSize: 2 })); // [b, 12, 12, f0]
  model.add(tf.layers.conv2d({
    name: "conv2",
    filters: filters[1],
    kernelSize: 5,
    activation: "relu",
    kernelInitializer: init(2),
  })); // [b, 8, 8, f1]
  model.add(tf.layers.maxPooling2d({ name: "pool2", poolSize: 2 })); // [b, 4, 4, f1]
  model.add(tf.layers.flatten({ name: "flatten" })); // [b, 16 × f1]
  model.add(tf.layers.dense({
    name: "dense1",
    units,
    activation: "relu",
    kernelInitializer: init(3),
  }));
  model.add(tf.layers.dropout({ name: "dropout", rate: dropout, seed }));
  model.add(tf.layers.dense({
    name: "output",
    units: NUM_CLASSES,
    activation: "softmax",
    kernelInitializer: init(4),
  }));
  return model;
}
