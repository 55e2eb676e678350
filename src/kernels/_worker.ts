/**
 * The helper thread of the "simd" backend: instantiates the kernels on the main thread's shared
 * memory and takes its share of each split kernel, signalled through a shared control block (no
 * messages, so that a kernel call costs microseconds).
 */
import { workerData } from "node:worker_threads";
import { CALLS, Control, runShare } from "./_control.ts";
import { importsFor } from "./_wasm.ts";

interface HelperData {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
}

const { module, memory, control } = workerData as HelperData;
const exports = new WebAssembly.Instance(module, importsFor(memory)).exports as Record<
  string,
  (...args: number[]) => void
>;
const ctl = new Control(control);
ctl.markReady();
for (let seen = 0;;) {
  seen = ctl.waitRequest(seen);
  const call = ctl.call();
  if (call < 0) break;
  try {
    runShare(ctl, exports[CALLS[call]], ctl.args());
    ctl.finish(seen, true);
  } catch {
    ctl.finish(seen, false);
  }
}
