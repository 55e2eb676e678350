/**
 * Buffers smaller than this are left to the garbage collector: freeing them early saves little.
 */
const MIN_RELEASED_BYTES = 64 * 1024;

/**
 * Frees the memory behind `views` now, instead of at the isolate's next full garbage collection,
 * by detaching each one's `ArrayBuffer` (every view of it, these and any other, becomes empty).
 * V8 frees an ArrayBuffer that outlived a young-generation collection only in a full one, which it
 * starts once some 64 MB of such memory has piled up; an isolate that receives a few MB of image
 * bytes per request would hold that much garbage at its peaks. Call it only on buffers that
 * nothing reads any more (no decoder still working on them), and that this code allocated; a
 * buffer under 64 KiB, a `SharedArrayBuffer` or one that cannot be detached is left as it is.
 *
 * @example
 * ```ts
 * import { releaseBytes } from "./release_bytes.ts";
 * import { equal } from "node:assert/strict";
 * const bytes = new Uint8Array(1 << 20);
 * const small = new Uint8Array(16);
 * releaseBytes(bytes, small);
 * equal(bytes.length, 0);
 * equal(small.length, 16);
 * ```
 */
export function releaseBytes(...views: ArrayBufferView[]): void {
  for (const view of views) {
    const buffer = view.buffer;
    if (!(buffer instanceof ArrayBuffer) || buffer.byteLength < MIN_RELEASED_BYTES) continue;
    try {
      buffer.transfer(0);
    } catch {
      // not detachable (a WebAssembly memory, say), or already detached: nothing to free here
    }
  }
}
