/** `gc()`, where the isolate was started with `--v8-flags=--expose-gc`. */
type Gc = (options?: { type?: "major" | "minor" }) => void;

/** Runs full garbage collections, at most one per interval, where the isolate allows it. */
export interface GarbageCollector {
  /** Whether `gc()` is exposed here (`--v8-flags=--expose-gc`); without it `collect` does nothing. */
  readonly available: boolean;
  /**
   * Runs a full collection now if the last one started at least the interval ago (or `force`),
   * and says whether it ran.
   */
  collect(force?: boolean): boolean;
}

/**
 * Collects the garbage an image leaves behind, on the isolate that read it. The pipeline's typed
 * arrays (a 64 px image leaves some 280 KB of them) die with the request, but V8 frees an
 * `ArrayBuffer` that outlived a young-generation collection only in a full collection, which it
 * starts once some 64 MB of them have piled up; small ones come from glibc's heap, which stays
 * fragmented at its peak. A full collection (20-60 ms on the request thread, which holds the model)
 * once a second bounds that pile. `deno task serve` exposes `gc()` (`--v8-flags=--expose-gc`);
 * where it is not exposed (Deno Deploy decides its V8 flags), this does nothing and V8's own
 * schedule applies. The pool's workers do not use it: there, once a second, it cost a third more
 * CPU a 12 MP photo (`deno task bench serve`, switched by a temporary edit: 131-132 against
 * 93-98 ms a request).
 *
 * With `minGrowth` > 0, a collection that is due runs only when the isolate's heap and external
 * memory (`Deno.memoryUsage()`: `heapUsed + external`) have grown by at least that many bytes
 * over the lowest level seen since the last one; `force` runs it regardless. The request thread
 * of a service whose large images are read on workers leaves little behind (their bodies are
 * released as each request ends): there, a collection once a second freed under 1 MB for 30-100
 * ms of CPU (more on V8's helper threads), while a stream of small images read in-thread grows it
 * by some 10 MB a second and keeps it collected each second.
 *
 * @example
 * ```ts
 * import { createGarbageCollector } from "./collect_garbage.ts";
 * import { equal } from "node:assert/strict";
 * const collector = createGarbageCollector(1000, 8 << 20);
 * // `deno test` does not expose gc(): nothing runs
 * equal(collector.collect(true), collector.available);
 * ```
 */
export function createGarbageCollector(intervalMs: number, minGrowth = 0): GarbageCollector {
  const exposed = (globalThis as { gc?: unknown }).gc;
  const gc = typeof exposed === "function" ? exposed as Gc : null;
  const used = () => {
    const { heapUsed, external } = Deno.memoryUsage();
    return heapUsed + external;
  };
  let last = -Infinity;
  /** The lowest `used()` seen since the last collection (V8 frees some of it after it ends). */
  let low = Infinity;
  return {
    available: gc !== null,
    collect(force = false): boolean {
      const now = performance.now();
      if (gc === null || (!force && now - last < intervalMs)) return false;
      if (!force && minGrowth > 0) {
        const level = used();
        if (level < low) low = level;
        if (level - low < minGrowth) {
          last = now; // looked: the next look is an interval away
          return false;
        }
      }
      last = now;
      gc({ type: "major" });
      if (minGrowth > 0) low = used();
      return true;
    },
  };
}
