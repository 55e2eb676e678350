// The Web Worker of `createPreprocessPool()`: runs `preprocessImage()` (or `readPhoto()`, whose
// model calls go back to the pool's thread) on the images it is sent and posts back each result,
// or the error's class and message. A cancellation aborts the image's signal, so that its
// pipeline stops at the next stage (the pool has already answered for it).
import { preprocessImage } from "./preprocess_image.ts";
import { readPhoto } from "./read_photo.ts";
import { releaseBytes } from "./release_bytes.ts";
import type { DigitModel } from "./types.ts";
import { type PoolReply, type PoolRequest, postError, reviveError } from "./_pool_messages.ts";

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<PoolRequest>) => void) | null;
  postMessage(message: PoolReply, transfer?: Transferable[]): void;
};

interface Running {
  controller: AbortController;
  /** The model calls of this image still waiting for the pool's answer, by `seq`. */
  calls: Map<number, { resolve: (p: Float32Array) => void; reject: (e: unknown) => void }>;
}

const running = new Map<number, Running>();

/** The pool's model, as seen from here: each batch goes to the pool's thread and back. */
function remoteModel(id: number, image: Running): DigitModel {
  let seq = 0;
  return {
    predict(batch: Float32Array, n: number): Promise<Float32Array> {
      image.controller.signal.throwIfAborted();
      const call = seq++;
      return new Promise((resolve, reject) => {
        image.calls.set(call, { resolve, reject });
        const copy = batch.slice(0, n * 784);
        scope.postMessage({ id, predict: { seq: call, batch: copy, n } }, [copy.buffer]);
      });
    },
  };
}

scope.onmessage = async function preprocessInWorker(event: MessageEvent<PoolRequest>) {
  const request = event.data;
  if (request.cancel) {
    const image = running.get(request.id);
    image?.controller.abort();
    for (const call of image?.calls.values() ?? []) call.reject(image!.controller.signal.reason);
    image?.calls.clear();
    return;
  }
  if (request.seq !== undefined) {
    const image = running.get(request.id);
    const call = image?.calls.get(request.seq);
    image?.calls.delete(request.seq);
    if (request.error !== undefined) call?.reject(reviveError(request.error));
    else call?.resolve(request.probabilities!);
    return;
  }
  const { id, bytes, options } = request;
  const image: Running = { controller: new AbortController(), calls: new Map() };
  running.set(id, image);
  const signal = image.controller.signal;
  try {
    if (request.read) {
      const reading = await readPhoto(bytes, remoteModel(id, image), { ...options, signal });
      const input = reading.single.input;
      scope.postMessage({ id, reading }, input === null ? [] : [input.buffer as ArrayBuffer]);
    } else {
      const result = await preprocessImage(bytes, { ...options, signal });
      const transfer = result.input === null ? [] : [result.input.buffer as ArrayBuffer];
      scope.postMessage({ id, result }, transfer);
    }
  } catch (error) {
    scope.postMessage({ id, error: postError(error) });
  } finally {
    running.delete(id);
    // The pipeline is done with this image (no decoder still reads it): its bytes, up to the
    // body limit, are freed now rather than at this isolate's next full garbage collection.
    releaseBytes(bytes);
  }
};
