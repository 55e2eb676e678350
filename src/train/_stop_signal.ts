/** Ctrl-C and an AbortSignal as one "stop after this batch" flag for a training run. */

/** A stop request: `stopped` turns true on Ctrl-C or abort; `dispose()` removes the listeners. */
export interface StopSignal {
  readonly stopped: boolean;
  dispose(): void;
}

/**
 * Listens for Ctrl-C (SIGINT; a second one exits at once with status 130) and for `signal`'s
 * abort, until `dispose()`.
 */
export function listenForStop(log: (line: string) => void, signal?: AbortSignal): StopSignal {
  let stopped = signal?.aborted ?? false;
  const onSigint = () => {
    if (stopped) Deno.exit(130);
    stopped = true;
    log("\nStopping after this batch (Ctrl-C again to quit at once)…");
  };
  const onAbort = () => (stopped = true);
  const listen = Deno.build.os !== "windows";
  if (listen) Deno.addSignalListener("SIGINT", onSigint);
  signal?.addEventListener("abort", onAbort);
  return {
    get stopped() {
      return stopped;
    },
    dispose() {
      if (listen) Deno.removeSignalListener("SIGINT", onSigint);
      signal?.removeEventListener("abort", onAbort);
    },
  };
}
