import { ApiError, requestTimeout, serviceTimeout, tooLarge } from "./_errors.ts";

/** The time limit of one request, and the signal that stops its work. */
export interface RequestDeadline {
  /** Aborted when the time limit passes (reason: a 408 while the body is read, a 504 after) or the
   * client goes away (reason: {@linkcode CLIENT_GONE}). */
  signal: AbortSignal;
  /** Marks the body as read: from now on a timeout is the service's (504), not the client's (408). */
  bodyRead(): void;
  /** Stops the timer and the listener on the client's signal. */
  dispose(): void;
}

/** The reason a request's work stops when its client closed the connection. */
export const CLIENT_GONE: ApiError = new ApiError(
  400,
  "client_closed_request",
  "The client closed the connection before the answer",
);

/** Whether an error only says that the request stopped (a timeout or a client gone). */
export function isCancellation(error: unknown): boolean {
  return error === CLIENT_GONE ||
    (error instanceof ApiError && [408, 504].includes(error.status)) ||
    (error instanceof DOMException && error.name === "AbortError");
}

/**
 * Starts the clock of one request: `timeoutMs` for all of it, and the client's own signal (which
 * `Deno.serve` aborts when the connection closes).
 */
export function requestDeadline(
  client: AbortSignal | undefined,
  timeoutMs: number,
): RequestDeadline {
  const controller = new AbortController();
  let reading = true;
  const timer = setTimeout(
    () => controller.abort(reading ? requestTimeout(timeoutMs) : serviceTimeout(timeoutMs)),
    timeoutMs,
  );
  const gone = () => controller.abort(CLIENT_GONE);
  if (client?.aborted) gone();
  else client?.addEventListener("abort", gone, { once: true });
  return {
    signal: controller.signal,
    bodyRead: () => (reading = false),
    dispose() {
      clearTimeout(timer);
      client?.removeEventListener("abort", gone);
    },
  };
}

/** `promise`, or the signal's reason as soon as it is aborted (the work itself is told by the signal). */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const stop = () => reject(signal.reason);
    signal.addEventListener("abort", stop, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", stop));
  });
}

/**
 * Reads a request body of at most `maxBytes`, refusing a larger one as soon as its length (or the
 * bytes read so far) says so, and stopping the read when `signal` is aborted.
 */
export async function readBody(
  request: Request,
  maxBytes: number,
  signal: AbortSignal,
): Promise<Uint8Array> {
  const over = () => tooLarge(`The request body is larger than ${maxBytes} bytes`);
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (declared > maxBytes) throw over();
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  const cancel = () => reader.cancel(signal.reason).catch(() => {});
  signal.addEventListener("abort", cancel, { once: true });
  let buffer = new Uint8Array(Number.isSafeInteger(declared) ? declared : 64 * 1024);
  let size = 0;
  try {
    for (;;) {
      signal.throwIfAborted();
      const { done, value } = await reader.read();
      signal.throwIfAborted();
      if (done) break;
      if (size + value.length > maxBytes) {
        cancel();
        throw over();
      }
      if (size + value.length > buffer.length) {
        const grown = new Uint8Array(
          Math.min(maxBytes, Math.max(size + value.length, buffer.length * 2)),
        );
        grown.set(buffer.subarray(0, size));
        buffer = grown;
      }
      buffer.set(value, size);
      size += value.length;
    }
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    if (error instanceof ApiError) throw error;
    throw new ApiError(400, "bad_request", "Cannot read the request body: it ended early");
  } finally {
    signal.removeEventListener("abort", cancel);
  }
  return buffer.subarray(0, size);
}
