import { preprocessImage } from "./preprocess_image.ts";
import { type PhotoReading, readPhoto } from "./read_photo.ts";
import { readImageInfo } from "./read_image_info.ts";
import { type PoolReply, type PoolRequest, postError, reviveError } from "./_pool_messages.ts";
import type { PreprocessOptions, PreprocessResult } from "./types.ts";
import type { Classifier } from "../model/classifier.ts";

/** Options for {@linkcode createPreprocessPool}. */
export interface PreprocessPoolOptions {
  /** Web Workers that run the pipeline; 0 runs it on the calling thread. @default {2} */
  workers?: number;
  /** Options for every image (`debug` pictures cross the worker boundary too). @default {{}} */
  preprocess?: PreprocessOptions;
  /**
   * Images of at most this many pixels (by their header) run on the calling thread: for a small
   * PNG the hand-off to a worker and back costs more than the pipeline. @default {0}
   */
  inThreadPixels?: number;
}

/** The photo pipeline on a pool of Web Workers. */
export interface PreprocessPool {
  /** Workers in the pool (0 when the pipeline runs on the calling thread). */
  readonly size: number;
  /**
   * {@linkcode preprocessImage} on the least busy worker: same results, same errors. Once
   * `signal` is aborted the promise rejects with its reason at once, and the worker drops the
   * image at its pipeline's next stage.
   */
  preprocess(bytes: Uint8Array, options?: { signal?: AbortSignal }): Promise<PreprocessResult>;
  /**
   * {@linkcode readPhoto} on the least busy worker (one decode, the single-digit pipeline and the
   * number reader there), with every batch of crops sent back to `model` on this thread: same
   * results, same errors, same cancellation as {@linkcode PreprocessPool.preprocess}.
   */
  read(
    bytes: Uint8Array,
    model: Classifier,
    options?: { signal?: AbortSignal },
  ): Promise<PhotoReading>;
  /** Stops the workers; images still in flight are rejected. Later calls start new workers. */
  close(): void;
}

interface Task {
  bytes: Uint8Array;
  signal?: AbortSignal;
  /** The model of a {@linkcode PreprocessPool.read}; none for `preprocess`. */
  model?: Classifier;
  resolve: (r: PreprocessResult | PhotoReading) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Task>;
  /** Whether the worker has answered once (then it loaded the pipeline and sharp). */
  answered: boolean;
}

/**
 * Runs {@linkcode preprocessImage} on a pool of Web Workers, so that several photos are decoded
 * and analysed at once on several cores while the calling thread serves requests and runs the
 * model. Each worker loads the pipeline and sharp on its own, once, on first use; nothing of tfjs.
 * Where Web Workers cannot start, or a worker fails before its first answer (it could not load
 * the pipeline), the pipeline runs on the calling thread instead, from then on. A worker that
 * crashes later rejects its images and is replaced on the next call.
 *
 * @example
 * ```ts
 * import { createPreprocessPool } from "./create_preprocess_pool.ts";
 * import sharp from "sharp";
 * import { equal, ok } from "node:assert/strict";
 * const png = await sharp({
 *   create: { width: 100, height: 100, channels: 3, background: "#fff" },
 * }).composite([{
 *   input: { create: { width: 8, height: 60, channels: 3, background: "#000" } },
 *   left: 46,
 *   top: 20,
 * }]).png().toBuffer();
 * const pool = createPreprocessPool({ workers: 1 });
 * try {
 *   const { input, polarity } = await pool.preprocess(new Uint8Array(png));
 *   equal(polarity, "dark_on_light");
 *   ok(input !== null && input[14 * 28 + 14] > 0.9);
 * } finally {
 *   pool.close();
 * }
 * ```
 */
export function createPreprocessPool(options: PreprocessPoolOptions = {}): PreprocessPool {
  const size = Math.max(0, Math.floor(options.workers ?? 2));
  const preprocessOptions = options.preprocess ?? {};
  const slots: Array<Slot | null> = Array.from({ length: size }, () => null);
  let nextId = 0;
  let inThread = size === 0;
  const inThreadPixels = options.inThreadPixels ?? 0;
  const small = (bytes: Uint8Array): boolean => {
    if (inThreadPixels <= 0) return false;
    const info = readImageInfo(bytes);
    return info?.width != null && info.height != null &&
      info.width * info.height <= inThreadPixels;
  };

  const start = (index: number): Slot | null => {
    let worker: Worker;
    try {
      worker = new Worker(new URL("./_pool_worker.ts", import.meta.url), { type: "module" });
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      console.warn(`Web Workers cannot start here (${why}): the photo pipeline runs in-thread`);
      inThread = true;
      return null;
    }
    const slot: Slot = { worker, pending: new Map(), answered: false };
    worker.onmessage = (event: MessageEvent<PoolReply>) => {
      slot.answered = true;
      const { id, result, reading, error, predict } = event.data;
      const task = slot.pending.get(id);
      if (predict !== undefined) {
        if (task?.model === undefined) return; // cancelled: the worker has dropped the image
        const { seq, batch, n } = predict;
        task.model.predict(batch, n).then(
          (rows) => {
            if (slot.pending.get(id) !== task) return;
            const probabilities = rows.slice(0, n * 10); // its own buffer, to move over
            const reply: PoolRequest = { id, seq, probabilities };
            slot.worker.postMessage(reply, [probabilities.buffer as ArrayBuffer]);
          },
          (e) => {
            if (slot.pending.get(id) !== task) return;
            slot.worker.postMessage({ id, seq, error: postError(e) } satisfies PoolRequest);
          },
        );
        return;
      }
      slot.pending.delete(id);
      if (task === undefined) return;
      if (error !== undefined) task.reject(reviveError(error));
      else task.resolve(reading ?? result!);
    };
    worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      if (!slot.answered) return fallBack(index, slot, event.message);
      fail(index, slot, new Error(`The photo pipeline's worker failed: ${event.message}`));
    };
    return slot;
  };

  /** Stops a worker and hands back the images it had not answered yet. */
  const stop = (index: number, slot: Slot): Task[] => {
    slot.worker.terminate();
    if (slots[index] === slot) slots[index] = null;
    const tasks = [...slot.pending.values()];
    slot.pending.clear();
    return tasks;
  };

  const fail = (index: number, slot: Slot, error: Error) => {
    for (const task of stop(index, slot)) task.reject(error);
  };

  // A worker that fails before its first answer could not load the pipeline (a platform whose
  // workers cannot load sharp): run everything in-thread from now on, its images included.
  const fallBack = (index: number, slot: Slot, why: string) => {
    if (!inThread) {
      console.warn(`The photo pipeline's worker did not start (${why}): running it in-thread`);
    }
    inThread = true;
    const tasks = stop(index, slot);
    for (const [i, other] of slots.entries()) if (other !== null) tasks.push(...stop(i, other));
    for (const task of tasks) inThreadTask(task).then(task.resolve, task.reject);
  };

  /**
   * Runs one image on this thread. As on a worker, the promise rejects once its signal is aborted,
   * and the pipeline drops the image at its next stage.
   */
  const inThreadTask = (
    task: Omit<Task, "resolve" | "reject">,
  ): Promise<PreprocessResult | PhotoReading> => {
    const { bytes, signal, model } = task;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const options = { ...preprocessOptions, signal };
    const work = model === undefined
      ? preprocessImage(bytes, options)
      : readPhoto(bytes, model, options);
    if (signal === undefined) return work;
    return new Promise((resolve, reject) => {
      const cancel = () => reject(signal.reason);
      signal.addEventListener("abort", cancel, { once: true });
      work.then(resolve, reject).finally(() => signal.removeEventListener("abort", cancel));
    });
  };

  /** Runs one image on a worker, or on this thread for a small image or where workers fail. */
  const submit = (task: Omit<Task, "resolve" | "reject">): Promise<unknown> => {
    const { bytes, signal, model } = task;
    const slot = inThread || small(bytes) ? null : pick();
    if (slot === null) return inThreadTask(task);
    if (signal?.aborted) return Promise.reject(signal.reason);
    const id = nextId++;
    return new Promise((resolve, reject) => {
      const cancel = () => {
        if (!slot.pending.delete(id)) return;
        slot.worker.postMessage({ id, cancel: true } satisfies PoolRequest);
        reject(signal!.reason);
      };
      const done = () => signal?.removeEventListener("abort", cancel);
      slot.pending.set(id, {
        bytes,
        signal,
        model,
        resolve: (r) => (done(), resolve(r)),
        reject: (e) => (done(), reject(e)),
      });
      signal?.addEventListener("abort", cancel, { once: true });
      // A copy of just these bytes (they may be a view of a larger request body), moved over.
      const copy = bytes.slice();
      const request: PoolRequest = {
        id,
        bytes: copy,
        options: preprocessOptions,
        read: model !== undefined,
      };
      slot.worker.postMessage(request, [copy.buffer]);
    });
  };

  const pick = (): Slot | null => {
    let best = -1;
    for (let i = 0; i < size; i++) {
      const load = slots[i]?.pending.size ?? 0;
      if (best < 0 || load < (slots[best]?.pending.size ?? 0)) best = i;
      if (load === 0) break;
    }
    slots[best] ??= start(best);
    return slots[best];
  };

  return {
    size,
    preprocess(bytes: Uint8Array, options = {}): Promise<PreprocessResult> {
      return submit({ bytes, signal: options.signal }) as Promise<PreprocessResult>;
    },
    read(bytes: Uint8Array, model: Classifier, options = {}): Promise<PhotoReading> {
      return submit({ bytes, signal: options.signal, model }) as Promise<PhotoReading>;
    },
    close(): void {
      for (let i = 0; i < size; i++) {
        const slot = slots[i];
        if (slot !== null) fail(i, slot, new Error("The photo pipeline's workers were stopped"));
      }
    },
  };
}
