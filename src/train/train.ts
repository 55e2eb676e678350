import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { type BackendInfo, describeBackend, selectBackend } from "../backend/select_backend.ts";
import { describeSplit, limitDigits, loadDigits, splitDigits } from "../data/mod.ts";
import type { DigitSet } from "../data/types.ts";
import { createModel } from "../model/create_model.ts";
import { saveLayersModel } from "../io/mod.ts";
import { createKerasTensorBoard, type KerasTensorBoard } from "../report/mod.ts";
import { augmentBatch } from "./augment.ts";
import type { TrainConfig } from "./config.ts";
import { type BatchTransform, runEpoch, scalePixels } from "./_epoch.ts";
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
  const backend = await selectBackend(config.backend, { training: true });
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
    optimizer: tf.train.adam(config.learningRate),
    loss: "sparseCategoricalCrossentropy",
    metrics: ["accuracy"],
  });
  model.summary(undefined, undefined, log);
  await writeStartReport(runDir, model, trainSet, config);

  const tensorboard = config.tensorboard === null
    ? null
    : createKerasTensorBoard(config.tensorboard);
  const outcome = await fitEpochs(model, trainSet, validation, config, {
    ...options,
    log,
    runDir,
    tensorboard,
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
  best: { epoch: number; accuracy: number; weights: tf.Tensor[] } | null;
  samples: number;
  seconds: number;
  interrupted: boolean;
  wallStart: number;
}

async function fitEpochs(
  model: tf.LayersModel,
  trainSet: DigitSet,
  validation: DigitSet,
  config: TrainConfig,
  context: TrainOptions & {
    log: (line: string) => void;
    runDir: string;
    tensorboard: KerasTensorBoard | null;
  },
): Promise<FitOutcome> {
  const { log, runDir, tensorboard } = context;
  const history: History = { epochs: [] };
  const transform = transformFor(config);
  const shuffle = createRng(config.seed);
  let stop = false;
  const onSigint = () => {
    if (stop) Deno.exit(130);
    stop = true;
    log("\nStopping after this batch (Ctrl-C again to quit at once)…");
  };
  const listen = Deno.build.os !== "windows";
  if (listen) Deno.addSignalListener("SIGINT", onSigint);
  context.signal?.addEventListener("abort", () => stop = true);
  const outcome: FitOutcome = {
    history,
    best: null,
    samples: 0,
    seconds: 0,
    interrupted: false,
    wallStart: performance.now(),
  };
  try {
    for (let epoch = 1; epoch <= config.epochs && !stop; epoch++) {
      const order = permutation(trainSet.count, shuffle);
      const run = await runEpoch(model, trainSet, {
        epoch,
        epochs: config.epochs,
        batchSize: config.batchSize,
        order,
        transform,
        shouldStop: () => stop || (context.signal?.aborted ?? false),
        progress: context.progress,
      });
      outcome.samples += run.samples;
      outcome.seconds += run.seconds;
      if (!run.completed) break;
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
      history.epochs.push(record);
      log(
        `Epoch ${epoch}/${config.epochs}: loss ${run.loss.toFixed(4)} accuracy ${
          run.accuracy.toFixed(4)
        } | val_loss ${val.loss.toFixed(4)} val_accuracy ${val.accuracy.toFixed(4)} | ${
          run.seconds.toFixed(1)
        } s, ${record.samplesPerSecond.toFixed(0)} samples/s`,
      );
      tensorboard?.logEpoch(epoch, {
        loss: run.loss,
        accuracy: run.accuracy,
        valLoss: val.loss,
        valAccuracy: val.accuracy,
      });
      if (outcome.best === null || val.accuracy > outcome.best.accuracy) {
        tf.dispose(outcome.best?.weights ?? []);
        outcome.best = {
          epoch,
          accuracy: val.accuracy,
          weights: model.getWeights().map((w) => w.clone()),
        };
        await saveLayersModel(model, join(runDir, "model"));
      }
      await writeJson(join(runDir, "history.json"), history);
    }
  } finally {
    if (listen) Deno.removeSignalListener("SIGINT", onSigint);
  }
  outcome.interrupted = stop || history.epochs.length < config.epochs;
  if (outcome.best === null) {
    // Stopped inside the first epoch: keep what there is rather than nothing.
    await saveLayersModel(model, join(runDir, "model"));
  } else {
    model.setWeights(outcome.best.weights);
    tf.dispose(outcome.best.weights);
  }
  if (outcome.interrupted) log("Training stopped early; model/ holds the best checkpoint so far");
  return outcome;
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
