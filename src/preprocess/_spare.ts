// Scratch buffers kept between calls of the pipeline's steps, up to a size.
import { releaseBytes } from "./release_bytes.ts";

/**
 * Most elements a scratch buffer keeps between calls: a working image of the photo pipeline or of
 * the number reader (640 × 640 px, or a long strip of digits), not a page looked at again at up to
 * 1,536 px. A larger buffer is kept only until the step that needed it releases its scratch
 * ({@linkcode releaseScratch}): kept for good, two workers would hold some 22 MB each of them from
 * their first scan on.
 */
export const KEEP_ELEMENTS = 1 << 19;

/**
 * A scratch buffer of at least `n` elements for a step whose every entry is written before it is
 * read (so that a buffer kept from the last call will do): the kept one when it is large enough,
 * else a new one, kept for the next calls; one over {@linkcode KEEP_ELEMENTS} elements only until
 * {@linkcode releaseScratch} frees it. Not reentrant: the buffer is the caller's until its next
 * call.
 *
 * @example
 * ```ts
 * import { KEEP_ELEMENTS, releaseScratch, spare } from "./_spare.ts";
 * import { equal, notEqual } from "node:assert/strict";
 * const scratch = spare((n) => new Float32Array(n));
 * const small = scratch(100);
 * equal(scratch(50), small); // kept
 * const large = scratch(KEEP_ELEMENTS + 1);
 * equal(scratch(KEEP_ELEMENTS), large); // until released
 * releaseScratch();
 * equal(large.length, 0); // freed
 * notEqual(scratch(100), small); // a small one again
 * ```
 */
export function spare<T extends ArrayBufferView & { length: number }>(
  make: (n: number) => T,
): (n: number) => T {
  let kept = make(0);
  return (n: number): T => {
    if (kept.length >= n) return kept;
    kept = make(n);
    if (n > KEEP_ELEMENTS) {
      const large = kept;
      // Until the step releases its scratch, the next callers reuse it (a segmentation's two
      // flood fills share one stack); then this spare starts small again.
      oversize.push(() => {
        if (kept === large) kept = make(0);
        releaseBytes(large);
      });
    }
    return kept;
  };
}

/** How to free each scratch buffer made over {@linkcode KEEP_ELEMENTS}, not yet released. */
const oversize: Array<() => void> = [];

/**
 * Frees the scratch buffers made for one call only (over {@linkcode KEEP_ELEMENTS}) now, rather
 * than at the isolate's next full garbage collection (V8 starts one once some 64 MB of them have
 * piled up): a step that has finished with its scratch calls it. Their views are then empty.
 *
 * @example
 * ```ts
 * import { KEEP_ELEMENTS, releaseScratch, spare } from "./_spare.ts";
 * import { equal } from "node:assert/strict";
 * const scratch = spare((n) => new Float32Array(n));
 * const large = scratch(KEEP_ELEMENTS + 1);
 * releaseScratch();
 * equal(large.length, 0);
 * ```
 */
export function releaseScratch(): void {
  for (const release of oversize.splice(0)) release();
}
