/** The optional helper thread: a second core for the convolution kernels of "simd". */
import { Worker } from "node:worker_threads";
import { CALLS, Control, runShare } from "./_control.ts";
import { sharedModule, wasm } from "./_wasm.ts";

interface Helper {
  worker: Worker;
  control: Control;
}

let helper: Helper | null = null;
let starting: Promise<void> | null = null;

/** Starts the helper thread (once) and waits until its kernels are instantiated. */
export async function startHelper(): Promise<void> {
  if (helper !== null) return;
  starting ??= spawn().finally(() => (starting = null));
  await starting;
}

async function spawn(): Promise<void> {
  const { module, memory } = sharedModule();
  const control = new Control();
  const worker = new Worker(new URL("./_worker.ts", import.meta.url), {
    workerData: { module, memory, control: control.buffer },
  });
  worker.unref(); // an idle helper must not keep the process alive
  const failed = new Promise<never>((_, reject) => worker.once("error", reject));
  failed.catch(() => {}); // a later error surfaces through Control.wait's timeout instead
  const deadline = Date.now() + 30_000;
  try {
    while (!control.ready()) {
      await Promise.race([new Promise((r) => setTimeout(r, 5)), failed]);
      if (Date.now() > deadline) throw new Error("The simd helper thread did not start in 30 s");
    }
  } catch (e) {
    await worker.terminate();
    throw e;
  }
  helper = { worker, control };
}

/** Stops the helper thread; kernels run on the calling thread alone afterwards. */
export async function stopHelper(): Promise<void> {
  if (starting !== null) await starting.catch(() => {});
  if (helper === null) return;
  const h = helper;
  helper = null;
  h.control.request(-1, []);
  await h.worker.terminate();
}

/** Whether a helper thread is running. */
export function hasHelper(): boolean {
  return helper !== null;
}

/** Runs the wasm export `name(...args)` on this thread. */
export function run(name: string, args: number[]): void {
  (wasm() as unknown as Record<string, (...a: number[]) => void>)[name](...args);
}

/**
 * Runs `name` over `nb` images, shared with the helper thread when one runs: both threads claim
 * a few images at a time until none are left, so a busy core never holds the other up. The
 * kernel is called as `name(...pointers, count, ...rest)` where pointer `i` is
 * `bases[i] + first * strides[i]` (the helper uses `helperBases`, for per-thread outputs).
 */
export function split(
  name: string,
  nb: number,
  bases: number[],
  strides: number[],
  rest: number[],
  helperBases: number[] = bases,
): void {
  const k = (wasm() as unknown as Record<string, (...args: number[]) => void>)[name];
  if (helper === null || nb < 2) {
    k(...bases, nb, ...rest);
    return;
  }
  const call = CALLS.indexOf(name);
  if (call < 0) throw new RangeError(`The simd helper cannot run "${name}"`);
  const chunk = Math.max(1, Math.floor(nb / 8));
  const spec = (b: number[]) => [nb, chunk, bases.length, ...b, ...strides, ...rest];
  const h = helper;
  h.control.resetImages();
  const seq = h.control.request(call, spec(helperBases));
  let helperOk = false;
  try {
    runShare(h.control, k, spec(bases));
  } finally {
    helperOk = h.control.wait(seq); // never leave the helper writing behind this call
  }
  if (!helperOk) throw new Error("A simd kernel failed on the helper thread");
}
