/**
 * A float32 allocator over the kernels' WebAssembly memory. The tensors that the fast kernels of
 * "simd" produce live here, so that the next kernel (on either thread) reads them in place: no
 * copies in and out, and no garbage-collected megabyte arrays per step. A training step asks for
 * the same sizes every time, so freed blocks are kept per size and handed out again.
 */
import { wasm } from "./_wasm.ts";

/** Block granularity in bytes (a cache line, so SIMD loads never straddle two blocks). */
const ALIGN = 64;
/** The heap stops growing here (the memory's ceiling is 1 GiB); kernels then fall back. */
const MAX_BYTES = 768 * 1024 * 1024;

/** Free blocks by size in bytes. */
const free = new Map<number, number[]>();
/** The size in bytes of every block handed out, by address. */
const sizes = new Map<number, number>();
let top = -1;
let scratch = { ptr: 0, bytes: 0 };

function roundUp(bytes: number): number {
  return Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
}

/** A block for `n` floats (contents undefined), or null when the heap is full. */
export function alloc(n: number): number | null {
  const bytes = roundUp(n * 4);
  const reuse = free.get(bytes)?.pop();
  if (reuse !== undefined) {
    sizes.set(reuse, bytes);
    return reuse;
  }
  const k = wasm();
  if (top < 0) top = k.heapStart();
  if (top + bytes > MAX_BYTES) return null;
  const have = k.memory.buffer.byteLength;
  if (top + bytes > have) {
    try {
      k.memory.grow(Math.ceil((top + bytes - have) / 65536));
    } catch {
      return null;
    }
  }
  const ptr = top;
  top += bytes;
  sizes.set(ptr, bytes);
  return ptr;
}

/** Returns a block from {@linkcode alloc} for reuse. */
export function release(ptr: number): void {
  const bytes = sizes.get(ptr);
  if (bytes === undefined) throw new Error(`Cannot free ${ptr}: not a block of the simd heap`);
  sizes.delete(ptr);
  const list = free.get(bytes);
  if (list === undefined) free.set(bytes, [ptr]);
  else list.push(ptr);
}

/** Bytes handed out and not yet released (for tests). */
export function heapInUse(): number {
  let total = 0;
  for (const bytes of sizes.values()) total += bytes;
  return total - scratch.bytes;
}

/**
 * Lays out `counts` float32 buffers (64-byte aligned) in one scratch block and returns their byte
 * offsets. Valid until the next call; throws when the heap is full.
 */
export function reserve(...counts: number[]): number[] {
  const bytes = counts.reduce((sum, n) => sum + roundUp(n * 4), 0);
  if (bytes > scratch.bytes) {
    if (scratch.bytes > 0) release(scratch.ptr);
    scratch = { ptr: 0, bytes: 0 };
    const ptr = alloc(bytes / 4);
    if (ptr === null) throw new RangeError(`Cannot reserve ${bytes} bytes: the simd heap is full`);
    scratch = { ptr, bytes: roundUp(bytes) };
  }
  let at = scratch.ptr;
  return counts.map((n) => {
    const p = at;
    at += roundUp(n * 4);
    return p;
  });
}

/** A float32 view of `n` floats at byte offset `ptr` (views stay valid when memory grows). */
export function f32(ptr: number, n: number): Float32Array {
  return new Float32Array(wasm().memory.buffer, ptr, n);
}
