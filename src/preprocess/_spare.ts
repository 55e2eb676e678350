// Scratch buffers kept between calls of the pipeline's steps, up to a size.
import { releaseBytes } from "./release_bytes.ts";

/**
 * Most elements a scratch buffer keeps between calls: a working image of the photo pipeline or of
 * the number reader (640 × 640 px, or a long strip of digits), not a page looked at again at up to
 * 1,536 px. A buffer that large is made for its call only: kept, two workers would hold some
 * 22 MB each of them from their first scan on.
 */
export const KEEP_ELEMENTS = 1 << 19;

/**
 * A scratch buffer of at least `n` elements for a step whose every entry is written before it is
 * read (so that a buffer kept from the last call will do): the kept one when it is large enough,
 * else a new one, kept for the next calls when it has at most {@linkcode KEEP_ELEMENTS} elements.
 * Not reentrant: the buffer is the caller's until its next call.
 *
 * @example
 * ```ts
 * import { KEEP_ELEMENTS, spare } from "./_spare.ts";
 * import { equal, notEqual } from "node:assert/strict";
 * const scratch = spare((n) => new Float32Array(n));
 * const small = scratch(100);
 * equal(scratch(50), small); // kept
 * const large = scratch(KEEP_ELEMENTS + 1);
 * notEqual(scratch(KEEP_ELEMENTS + 1), large); // made for its call only
 * equal(scratch(100), small);
 * ```
 */
export function spare<T extends ArrayBufferView & { length: number }>(
  make: (n: number) => T,
): (n: number) => T {
  let kept = make(0);
  return (n: number): T => {
    if (kept.length >= n) return kept;
    const fresh = make(n);
    if (n <= KEEP_ELEMENTS) kept = fresh;
    else oversize.push(fresh);
    return fresh;
  };
}

/** Scratch buffers made for one call only, not yet released. */
const oversize: ArrayBufferView[] = [];

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
  releaseBytes(...oversize.splice(0));
}
