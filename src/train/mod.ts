/**
 * The training stage: the notebook's recipe (or the robust, augmented one) on any `DigitSet`,
 * with a run folder of model, settings, metrics and pictures.
 *
 * @example
 * ```ts ignore
 * import { resolveTrainConfig, train } from "./mod.ts";
 * const { metrics, runDir } = await train(resolveTrainConfig({ limit: 1000, epochs: 1 }));
 * console.log(runDir, metrics.validation.accuracy);
 * ```
 *
 * @module
 */
export * from "./train.ts";
export * from "./run_epoch.ts";
export * from "./config.ts";
export * from "./types.ts";
export * from "./evaluate.ts";
export * from "./augment.ts";
export * from "./submission.ts";
