import { overloaded } from "./_errors.ts";

/** A bounded queue in front of the photo pipeline. */
export interface Admission {
  /**
   * Waits for one of the `running` places; resolves with the function that gives it back. Throws
   * a 503 `overloaded` at once when `queued` requests are already waiting, and the signal's reason
   * when it is aborted while waiting (the place is then never taken).
   */
  enter(signal: AbortSignal): Promise<() => void>;
  /** Requests waiting now. */
  readonly waiting: number;
}

/**
 * Lets `running` requests use the photo pipeline at once and `queued` more wait for it, in order;
 * anything beyond is refused at once, so that a burst costs the ones it cannot serve nothing but
 * a fast 503 with `Retry-After`.
 */
export function createAdmission(running: number, queued: number): Admission {
  let active = 0;
  const queue: Array<() => void> = [];
  const release = () => {
    const next = queue.shift();
    if (next !== undefined) next();
    else active--;
  };
  return {
    get waiting() {
      return queue.length;
    },
    enter(signal: AbortSignal): Promise<() => void> {
      signal.throwIfAborted();
      if (active < running) {
        active++;
        return Promise.resolve(once(release));
      }
      if (queue.length >= queued) return Promise.reject(overloaded(queue.length));
      return new Promise((resolve, reject) => {
        const admit = () => {
          signal.removeEventListener("abort", leave);
          resolve(once(release));
        };
        const leave = () => {
          const at = queue.indexOf(admit);
          if (at >= 0) queue.splice(at, 1);
          reject(signal.reason);
        };
        queue.push(admit);
        signal.addEventListener("abort", leave, { once: true });
      });
    },
  };
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (!done) {
      done = true;
      fn();
    }
  };
}
