/**
 * Where the tensors of "simd" live: a `MathBackendCPU` whose float32 tensors made by the fast
 * kernels sit in the WebAssembly heap (`_heap.ts`), freed when tfjs disposes them.
 */
import type * as tf from "@tensorflow/tfjs";
import { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import { alloc, f32, release } from "./_heap.ts";

/** Heap blocks by the dataId of the tensor that owns them. */
const owned = new WeakMap<object, number>();

type Values = tf.backend_util.BackendValues;

/**
 * The backend class of "simd": tfjs' CPU backend, except that tensor data in the WebAssembly heap
 * goes back to the heap on dispose and leaves the backend only as a copy (so a `dataSync()` array
 * never changes under its holder, and never exposes the whole heap through `.buffer`).
 */
export class SimdBackend extends MathBackendCPU {
  override disposeData(dataId: object, force = false): boolean {
    const done = super.disposeData(dataId, force);
    const ptr = owned.get(dataId);
    if (ptr !== undefined && !this.data.has(dataId)) {
      owned.delete(dataId);
      release(ptr);
    }
    return done;
  }

  override readSync(dataId: object): Values {
    if (owned.has(dataId)) return (this.data.get(dataId).values as Float32Array).slice();
    return super.readSync(dataId);
  }
}

/** Float32 contents of a tensor held by the backend (a heap view for heap tensors). */
export function values(backend: MathBackendCPU, t: tf.TensorInfo): Float32Array {
  const v = backend.data.get(t.dataId).values;
  if (v instanceof Float32Array) return v;
  return Float32Array.from(v as ArrayLike<number>);
}

/**
 * The heap address of a float32 tensor's data. Data elsewhere is copied into the heap once and
 * the tensor adopts the copy, so later kernels read it in place. Null when the heap is full.
 */
export function pointer(backend: MathBackendCPU, t: tf.TensorInfo): number | null {
  const ptr = owned.get(t.dataId);
  if (ptr !== undefined) return ptr;
  const data = backend.data.get(t.dataId);
  const src = data.values as ArrayLike<number>;
  const n = src.length;
  const p = alloc(n);
  if (p === null) return null;
  const view = f32(p, n);
  if (src instanceof Float32Array) view.set(src);
  else for (let i = 0; i < n; i++) view[i] = src[i];
  data.values = view;
  owned.set(t.dataId, p);
  return p;
}

/** A new float32 tensor of `shape` whose data is a fresh heap block; null when the heap is full. */
export function output(
  backend: MathBackendCPU,
  shape: number[],
): { ptr: number; info: tf.TensorInfo; view: Float32Array } | null {
  const n = shape.reduce((p, q) => p * q, 1);
  const ptr = alloc(n);
  if (ptr === null) return null;
  const view = f32(ptr, n);
  const info = backend.makeTensorInfo(shape, "float32", view);
  owned.set(info.dataId, ptr);
  return { ptr, info, view };
}

/**
 * After a reference kernel: an output whose data is a view into the heap that it does not own
 * (tfjs' Slice returns `subarray`s of its input) gets its own copy, so that freeing the input's
 * block cannot change it.
 */
export function detachAliases(
  backend: MathBackendCPU,
  outs: tf.TensorInfo | tf.TensorInfo[],
): void {
  for (const t of Array.isArray(outs) ? outs : [outs]) {
    if (owned.has(t.dataId) || !backend.data.has(t.dataId)) continue;
    const data = backend.data.get(t.dataId);
    const v = data.values as { buffer?: ArrayBufferLike; slice?: () => Values };
    if (v?.buffer instanceof SharedArrayBuffer && v.slice !== undefined) data.values = v.slice();
  }
}
