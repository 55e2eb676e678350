import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { type BackendInfo, describeBackend, selectBackend } from "../backend/select_backend.ts";
import { describeSplit, limitDigits, loadDigits, splitDigits } from "../data/mod.ts";
import type { DigitSet } from "../data/types.ts";
import { createModel } from "../model/create_model.ts";
import { adamOptimizer } from "../kernels/mod.ts";
import { createKerasTensorBoard, type KerasTensorBoard } from "../report/mod.ts";
import { augmentBatch } from "./augment.ts";
import type { TrainConfig } from "./config.ts";
import { type BatchTransform, type EpochOutcome, runEpoch, scalePixels } from "./run_epoch.ts";
import { type Checkpoint, createCheckpointer } from "./_checkpointer.ts";
import { listenForStop } from "./_stop_signal.ts";
import { evaluateModel } from "./evaluate.ts";
import { mulberry32 as createRng, shuffledIndices as permutation } from "../data/prng.ts";
import { prepareRunDir, writeJson } from "./_run_dir.ts";
import { writeFinalReport, writeStartReport } from "./_report.ts";
import type { EpochRecord, History, RunMetrics } from "./types.ts";

/** Options of {@linkcode train} that are not part of the run's configuration. */
export interface TrainOptions {
  /** Where progress lines go. @default {console.log} */
  log?: (line: string) => void;
  /** Show per-epoch progress bars. @default {true} */
  progress?: boolean;
  /** Aborting stops training after the current batch and keeps the best checkpoint. */
  signal?: AbortSignal;
}

/** What a finished (or interrupted) run produced. */
export interface TrainResult {
  /** The run folder. */
  runDir: string;
  /** What `metrics.json` holds. */
  metrics: RunMetrics;
  /** What `history.json` holds. */
  history: History;
  /** The backend that trained the model. */
  backend: BackendInfo;
}

function transformFor(config: TrainConfig): BatchTransform {
  if (config.recipe === "notebook") return scalePixels;
  const rng = createRng(config.seed + 7);
  return (images, n) => augmentBatch(images, n, rng);
}

async function loadSets(config: TrainConfig, log: (line: string) => void) {
  let all = await loadDigits(config.data ?? undefined);
  if (config.limit !== null) all = limitDigits(all, config.limit);
  const { train, validation } = splitDigits(all, {
    validationSplit: config.validationSplit,
    seed: config.seed,
  });
  const test = config.test === null ? null : await loadDigits(config.test);
  for (const line of describeSplit({ train, validation, test: test ?? undefined })) log(line);
  return { train, validation, test };
}

/**
 * Trains the notebook's CNN and writes a run folder: `model/` (the checkpoint with the best
 * validation accuracy, tfjs layers format), `config.json`, `history.json`, `metrics.json`, the
 * report pictures and, when `config.test` is set, `submission.csv`.
 *
 * @example
 * ```ts ignore
 * import { train } from "./train.ts";
 * import { resolveTrainConfig } from "./config.ts";
 * const { metrics } = await train(resolveTrainConfig({ limit: 1000, epochs: 1 }));
 * console.log(metrics.validation.accuracy);
 * ```
 */
export async function train(config: TrainConfig, options: TrainOptions = {}): Promise<TrainResult> {
  const log = options.log ?? console.log;
  const backend = await selectBackend(config.backend, {
    training: true,
    threads: config.threads,
  });
  log(`Backend: ${describeBackend(backend)}`);
  const { train: trainSet, validation, test } = await loadSets(config, log);
  const runDir = await prepareRunDir(config.out);
  log(`Run folder: ${runDir}`);
  await writeJson(join(runDir, "config.json"), {
    ...config,
    out: runDir,
    backend: config.backend,
    backendUsed: backend,
    tfjs: tf.version.tfjs,
    dataSource: trainSet.source,
    createdAt: new Date().toISOString(),
  });

  const model = createModel({ seed: config.seed });
  model.compile({
    optimizer: adamOptimizer(config.learningRate), // tf.train.adam, one kernel per variable on simd
    loss: "sparseCategoricalCrossentropy",
    metrics: ["accuracy"],
  });
  model.summary(undefined, undefined, log);
  await writeStartReport(runDir, model, trainSet, config);

  const tensorboard = config.tensorboard === null
    ? null
    : createKerasTensorBoard(config.tensorboard);
  const outcome = await fitEpochs(model, { train: trainSet, validation }, config, {
    log,
    runDir,
    tensorboard,
    progress: options.progress,
    signal: options.signal,
  });
  tensorboard?.close();

  const metrics = await finish(
    model,
    { trainSet, validation, test, config, backend, runDir },
    outcome,
  );
  log(
    `Done: validation accuracy ${metrics.validation.accuracy.toFixed(4)}, ` +
      `${metrics.samplesPerSecond.toFixed(0)} samples/s on ${backend.name}, ` +
      `${metrics.wallSeconds.toFixed(1)} s; run folder ${runDir}`,
  );
  model.dispose();
  return { runDir, metrics, history: outcome.history, backend };
}

interface FitOutcome {
  history: History;
  best: Checkpoint | null;
  samples: number;
  seconds: number;
  interrupted: boolean;
  wallStart: number;
}

interface FitContext {
  log: (line: string) => void;
  runDir: string;
  tensorboard: KerasTensorBoard | null;
  progress?: boolean;
  signal?: AbortSignal;
}

/** The epochs of a run: train, validate, log, keep the best checkpoint; stops on Ctrl-C. */
async function fitEpochs(
  model: tf.LayersModel,
  sets: { train: DigitSet; validation: DigitSet },
  config: TrainConfig,
  context: FitContext,
): Promise<FitOutcome> {
  const { log, runDir } = context;
  const wallStart = performance.now();
  const history: History = { epochs: [] };
  const transform = transformFor(config);
  const shuffle = createRng(config.seed);
  const checkpoints = createCheckpointer(model, runDir);
  const stop = listenForStop(log, context.signal);
  let samples = 0, seconds = 0;
  try {
    for (let epoch = 1; epoch <= config.epochs && !stop.stopped; epoch++) {
      const run = await runEpoch(model, sets.train, {
        epoch,
        epochs: config.epochs,
        batchSize: config.batchSize,
        order: permutation(sets.train.count, shuffle),
        transform,
        shouldStop: () => stop.stopped,
        progress: context.progress,
      });
      samples += run.samples;
      seconds += run.seconds;
      if (!run.completed) break;
      const record = await closeEpoch(model, epoch, run, sets.validation, config, context);
      history.epochs.push(record);
      await checkpoints.offer(epoch, record.valAccuracy);
      await writeJson(join(runDir, "history.json"), history);
    }
  } finally {
    stop.dispose();
  }
  const interrupted = stop.stopped || history.epochs.length < config.epochs;
  await checkpoints.restore();
  if (interrupted) log("Training stopped early; model/ holds the best checkpoint so far");
  return { history, best: checkpoints.best, samples, seconds, interrupted, wallStart };
}

/** Validates after an epoch, logs the epoch's line and TensorBoard scalars; returns its record. */
async function closeEpoch(
  model: tf.LayersModel,
  epoch: number,
  run: EpochOutcome,
  validation: DigitSet,
  config: TrainConfig,
  context: FitContext,
): Promise<EpochRecord> {
  const val = await evaluateModel(model, validation);
  const record: EpochRecord = {
    epoch,
    loss: run.loss,
    accuracy: run.accuracy,
    valLoss: val.loss,
    valAccuracy: val.accuracy,
    seconds: run.seconds,
    samplesPerSecond: run.samples / run.seconds,
  };
  context.log(
    `Epoch ${epoch}/${config.epochs}: loss ${run.loss.toFixed(4)} accuracy ${
      run.accuracy.toFixed(4)
    } | val_loss ${val.loss.toFixed(4)} val_accuracy ${val.accuracy.toFixed(4)} | ${
      run.seconds.toFixed(1)
    } s, ${record.samplesPerSecond.toFixed(0)} samples/s`,
  );
  context.tensorboard?.logEpoch(epoch, {
    loss: run.loss,
    accuracy: run.accuracy,
    valLoss: val.loss,
    valAccuracy: val.accuracy,
  });
  return record;
}

async function finish(
  model: tf.LayersModel,
  run: {
    trainSet: DigitSet;
    validation: DigitSet;
    test: DigitSet | null;
    config: TrainConfig;
    backend: BackendInfo;
    runDir: string;
  },
  outcome: FitOutcome,
): Promise<RunMetrics> {
  const trainEval = await evaluateModel(model, run.trainSet);
  const valEval = await evaluateModel(model, run.validation);
  const metrics: RunMetrics = {
    train: { loss: trainEval.loss, accuracy: trainEval.accuracy },
    validation: { loss: valEval.loss, accuracy: valEval.accuracy },
    backend: run.backend.name,
    adapter: run.backend.adapter,
    samplesPerSecond: outcome.seconds > 0 ? outcome.samples / outcome.seconds : 0,
    epochs: outcome.history.epochs.length,
    bestEpoch: outcome.best?.epoch ?? null,
    trainSize: run.trainSet.count,
    validationSize: run.validation.count,
    trainSeconds: outcome.seconds,
    wallSeconds: (performance.now() - outcome.wallStart) / 1000,
    interrupted: outcome.interrupted,
    recipe: run.config.recipe,
  };
  await writeJson(join(run.runDir, "history.json"), outcome.history);
  await writeJson(join(run.runDir, "metrics.json"), metrics);
  await writeFinalReport(run.runDir, {
    model,
    history: outcome.history,
    validation: run.validation,
    valEval,
    test: run.test,
    config: run.config,
  });
  return metrics;
}
