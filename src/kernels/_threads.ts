/** The optional helper thread: a second core for the convolution kernels of "simd". */
import { Worker } from "node:worker_threads";
import { CALLS, Control } from "./_control.ts";
import { sharedModule, wasm } from "./_wasm.ts";

interface Helper {
  worker: Worker;
  control: Control;
  pending: number;
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
  helper = { worker, control, pending: 0 };
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

/** Hands `name(...args)` to the helper; {@linkcode join} waits for it. */
export function fork(name: string, args: number[]): void {
  if (helper === null) throw new Error("No simd helper thread is running");
  const call = CALLS.indexOf(name);
  if (call < 0) throw new RangeError(`The simd helper cannot run "${name}"`);
  helper.pending = helper.control.request(call, args);
}

/** Waits for the last {@linkcode fork}. */
export function join(): void {
  if (helper === null) return;
  if (!helper.control.wait(helper.pending)) {
    throw new Error("A simd kernel failed on the helper thread");
  }
}

/** Runs the wasm export `name(...args)` on this thread. */
export function run(name: string, args: number[]): void {
  (wasm() as unknown as Record<string, (...a: number[]) => void>)[name](...args);
}

/**
 * Runs `name` over `nb` images, the first half on the helper thread when one runs. `at(first)`
 * gives the pointer arguments for the run starting at image `first`; `tail` the rest.
 */
export function split(
  name: string,
  nb: number,
  at: (first: number, helper: boolean) => number[],
  tail: (count: number) => number[],
): void {
  const k = wasm() as unknown as Record<string, (...args: number[]) => void>;
  const h = hasHelper() && nb >= 2 ? Math.floor(nb / 2) : 0;
  if (h > 0) fork(name, [...at(0, true), ...tail(h)]);
  try {
    k[name](...at(h, false), ...tail(nb - h));
  } finally {
    if (h > 0) join();
  }
}
