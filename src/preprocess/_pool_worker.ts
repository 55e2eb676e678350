// The Web Worker of `createPreprocessPool()`: runs `preprocessImage()` on the images it is sent
// and posts back each result, or the error's class and message. A cancellation aborts the image's
// signal, so that its pipeline stops at the next stage (the pool has already answered for it).
import { preprocessImage } from "./preprocess_image.ts";
import { type PoolReply, type PoolRequest, postError } from "./_pool_messages.ts";

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<PoolRequest>) => void) | null;
  postMessage(message: PoolReply, transfer?: Transferable[]): void;
};

const running = new Map<number, AbortController>();

scope.onmessage = async function preprocessInWorker(event: MessageEvent<PoolRequest>) {
  const request = event.data;
  if (request.cancel) {
    running.get(request.id)?.abort();
    return;
  }
  const { id, bytes, options } = request;
  const controller = new AbortController();
  running.set(id, controller);
  try {
    const result = await preprocessImage(bytes, { ...options, signal: controller.signal });
    const transfer = result.input === null ? [] : [result.input.buffer as ArrayBuffer];
    scope.postMessage({ id, result }, transfer);
  } catch (error) {
    scope.postMessage({ id, error: postError(error) });
  } finally {
    running.delete(id);
  }
};
