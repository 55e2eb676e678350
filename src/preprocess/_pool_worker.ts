// The Web Worker of `createPreprocessPool()`: runs `preprocessImage()` on the images it is sent
// and posts back each result, or the error's class and message.
import { preprocessImage } from "./preprocess_image.ts";
import type { PoolReply, PoolRequest } from "./_pool_messages.ts";

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<PoolRequest>) => void) | null;
  postMessage(message: PoolReply, transfer?: Transferable[]): void;
};

scope.onmessage = async function preprocessInWorker(event: MessageEvent<PoolRequest>) {
  const { id, bytes, options } = event.data;
  try {
    const result = await preprocessImage(bytes, options);
    const transfer = result.input === null ? [] : [result.input.buffer as ArrayBuffer];
    scope.postMessage({ id, result }, transfer);
  } catch (error) {
    const known = error instanceof Error;
    scope.postMessage({
      id,
      error: { name: known ? error.name : "Error", message: known ? error.message : String(error) },
    });
  }
};
