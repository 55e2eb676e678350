/** Counts requests in flight and hands freed memory back to the system once they stop. */
export interface IdleTrim {
  /** A request starts. */
  begin(): void;
  /** A request ends; when none is left for `idleMs`, freed memory goes back to the system. */
  end(): void;
  /** Stops the pending timer and unloads the C library. */
  close(): void;
}

type Libc = { symbols: { malloc_trim(pad: bigint): number }; close(): void };

function openLibc(): Libc | null {
  if (Deno.build.os !== "linux") return null;
  try {
    return Deno.dlopen("libc.so.6", {
      malloc_trim: { parameters: ["usize"], result: "i32" },
    }) as unknown as Libc;
  } catch {
    return null; // no FFI permission (Deno Deploy), or not glibc
  }
}

/**
 * After a burst of decoding, glibc keeps the memory that libvips and the decoders freed in its
 * arenas, and resident memory stays at the burst's peak. Where glibc and FFI are available this
 * calls `malloc_trim(0)` once the server has been idle for `idleMs`, so that an idle server
 * shrinks back; elsewhere it does nothing.
 */
export function createIdleTrim(idleMs: number): IdleTrim {
  let libc = openLibc();
  let active = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stop = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
  return {
    begin() {
      active++;
      stop();
    },
    end() {
      active--;
      if (libc === null || active > 0) return;
      stop();
      const id = setTimeout(() => {
        timer = undefined;
        libc?.symbols.malloc_trim(0n);
      }, idleMs);
      Deno.unrefTimer(id as unknown as number);
      timer = id;
    },
    close() {
      stop();
      libc?.close();
      libc = null; // a request that ends after this trims nothing
    },
  };
}
