/** Counts requests in flight and hands freed memory back to the system once they stop. */
export interface IdleTrim {
  /** A request starts. */
  begin(): void;
  /** A request ends; when none is left for `idleMs`, freed memory goes back to the system. */
  end(): void;
  /** Stops the pending timer and unloads the C library. */
  close(): void;
}

type Libc = {
  symbols: { malloc_trim(pad: bigint): number; mallopt(param: number, value: number): number };
  close(): void;
};

/** `mallopt()` parameters of glibc's `malloc.h`. */
const M_MMAP_THRESHOLD = -3;
const M_ARENA_MAX = -8;

function openLibc(): Libc | null {
  if (Deno.build.os !== "linux") return null;
  try {
    return Deno.dlopen("libc.so.6", {
      malloc_trim: { parameters: ["usize"], result: "i32" },
      mallopt: { parameters: ["i32", "i32"], result: "i32" },
    }) as unknown as Libc;
  } catch {
    return null; // no FFI permission (Deno Deploy), or not glibc
  }
}

/**
 * After a burst of decoding, glibc keeps the memory that libvips and the decoders freed in its
 * arenas, and resident memory stays at the burst's peak. Where glibc and FFI are available this
 * calls `malloc_trim(0)` once the server has been idle for `idleMs`, so that an idle server
 * shrinks back; elsewhere it does nothing. It also sets, once, how glibc allocates (see below).
 */
export function createIdleTrim(idleMs: number): IdleTrim {
  let libc = openLibc();
  // Decoded images are large buffers that live for one request. glibc raises its mmap threshold
  // (up to 32 MB) each time such a buffer is freed, after which they come from the heap and stay
  // resident; a fixed threshold gives each back to the system when freed. Two arenas, not eight
  // per core, keep the pipeline's worker threads from each holding freed memory of their own.
  libc?.symbols.mallopt(M_MMAP_THRESHOLD, 256 * 1024);
  libc?.symbols.mallopt(M_ARENA_MAX, 2);
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
