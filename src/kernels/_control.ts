/** The shared control block between the main thread and the helper thread of "simd". */

/** The exports a helper may run, by index. */
export const CALLS = ["convForward", "convFilter", "convInput", "gemm", "maxPool", "maxPoolGrad"];

const REQUEST = 0, DONE = 1, CALL = 2, STATUS = 3, READY = 4, NARGS = 5, NEXT = 6;
const MAX_ARGS = 40;

/**
 * Int32 slots [request, done, call, status, ready, nargs, next] then float64 arguments. `next` is
 * the first image of a split kernel that no thread has taken yet.
 */
export class Control {
  readonly buffer: SharedArrayBuffer;
  #ints: Int32Array;
  #args: Float64Array;

  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(32 + 8 * MAX_ARGS)) {
    this.buffer = buffer;
    this.#ints = new Int32Array(buffer, 0, 8);
    this.#args = new Float64Array(buffer, 32, MAX_ARGS);
  }

  /** Helper side: announce that the kernels are instantiated. */
  markReady(): void {
    Atomics.store(this.#ints, READY, 1);
    Atomics.notify(this.#ints, READY);
  }

  /** Main side: whether the helper has announced itself. */
  ready(): boolean {
    return Atomics.load(this.#ints, READY) === 1;
  }

  /** Main side: ask the helper to run `CALLS[call]` (or to stop, for -1) with `args`. */
  request(call: number, args: number[]): number {
    if (args.length > MAX_ARGS) throw new RangeError(`Too many kernel arguments: ${args.length}`);
    this.#args.set(args);
    this.#ints[NARGS] = args.length;
    this.#ints[CALL] = call;
    const seq = Atomics.add(this.#ints, REQUEST, 1) + 1;
    Atomics.notify(this.#ints, REQUEST);
    return seq;
  }

  /**
   * Main side: block until request `seq` is done; false when the kernel threw. Throws after
   * `timeoutMs` (a helper that died can never answer, and its exit event cannot arrive while
   * this thread blocks).
   */
  wait(seq: number, timeoutMs = 120_000): boolean {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const done = Atomics.load(this.#ints, DONE);
      if (done === seq) return Atomics.load(this.#ints, STATUS) === 1;
      if (Date.now() > deadline) {
        throw new Error(`The simd helper thread did not answer within ${timeoutMs} ms`);
      }
      Atomics.wait(this.#ints, DONE, done, 1000);
    }
  }

  /** Helper side: block until a request newer than `seen` arrives; returns its number. */
  waitRequest(seen: number): number {
    while (Atomics.load(this.#ints, REQUEST) === seen) Atomics.wait(this.#ints, REQUEST, seen);
    return Atomics.load(this.#ints, REQUEST);
  }

  /** Main side: make images from 0 on available to {@linkcode take} (before a request). */
  resetImages(): void {
    Atomics.store(this.#ints, NEXT, 0);
  }

  /** Either side: claim the next `chunk` images of the current split kernel; returns the first. */
  take(chunk: number): number {
    return Atomics.add(this.#ints, NEXT, chunk);
  }

  /** Helper side: the requested call index. */
  call(): number {
    return this.#ints[CALL];
  }

  /** Helper side: the requested arguments. */
  args(): number[] {
    return Array.from(this.#args.subarray(0, this.#ints[NARGS]));
  }

  /** Helper side: report request `seq` as done. */
  finish(seq: number, ok: boolean): void {
    Atomics.store(this.#ints, STATUS, ok ? 1 : 0);
    Atomics.store(this.#ints, DONE, seq);
    Atomics.notify(this.#ints, DONE);
  }
}

/**
 * Runs a split kernel's share on this thread: claims `chunk` images at a time from `control`
 * until all `nb` are taken, calling `kernel(...pointers at the first image, count, ...rest)`.
 * `args` is `[nb, chunk, P, ...P bases, ...P byte strides per image, ...rest]`. Both threads run
 * this on the same request, so a thread that is descheduled simply gets fewer images.
 */
export function runShare(
  control: Control,
  kernel: (...args: number[]) => void,
  args: number[],
): void {
  const [nb, chunk, p] = args;
  const bases = args.slice(3, 3 + p), strides = args.slice(3 + p, 3 + 2 * p);
  const rest = args.slice(3 + 2 * p);
  for (let first = control.take(chunk); first < nb; first = control.take(chunk)) {
    const count = Math.min(chunk, nb - first);
    kernel(...bases.map((b, i) => b + first * strides[i]), count, ...rest);
  }
}
