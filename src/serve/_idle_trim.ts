import { createGarbageCollector } from "../preprocess/mod.ts";

/** Counts requests in flight and hands freed memory back to the system once they stop. */
export interface IdleTrim {
  /** A request starts. */
  begin(): void;
  /**
   * A request ends: freed memory goes back to the system once none is left for `idleMs`, and
   * while requests keep coming, at most every `busyMs`.
   */
  end(): void;
  /** Stops the pending timer and unloads the C library. */
  close(): void;
}

type Libc = {
  symbols: {
    malloc_trim(pad: bigint): number;
    /** The same call on a thread of Deno's blocking pool: the event loop goes on meanwhile. */
    malloc_trim_off_thread(pad: bigint): Promise<number>;
    mallopt(param: number, value: number): number;
  };
  close(): void;
};

/** `mallopt()` parameters of glibc's `malloc.h`. */
const M_MMAP_THRESHOLD = -3;

function openLibc(): Libc | null {
  if (Deno.build.os !== "linux") return null;
  try {
    return Deno.dlopen("libc.so.6", {
      malloc_trim: { parameters: ["usize"], result: "i32" },
      malloc_trim_off_thread: {
        name: "malloc_trim",
        parameters: ["usize"],
        result: "i32",
        nonblocking: true,
      },
      mallopt: { parameters: ["i32", "i32"], result: "i32" },
    }) as unknown as Libc;
  } catch {
    return null; // no FFI permission (Deno Deploy), or not glibc
  }
}

/**
 * Growth of the request thread's heap and external memory, in bytes, that makes a due collection
 * run while busy. Small images read in-thread grow it by some 10 MB a second (kept collected each
 * second, as before); large ones, read on workers, by under 1 MB.
 */
const GC_MIN_GROWTH = 8 << 20;

/**
 * Where `gc()` is exposed, a full garbage collection runs before each trim, at most every `gcMs`
 * while busy (see `createGarbageCollector()`): the request thread reads small images itself and
 * leaves their typed arrays, under 16 KB each, in glibc's main heap until V8 collects them; in a
 * soak that heap grew from 11 to 144 MB without it. While busy, it runs only once the isolate grew
 * by {@linkcode GC_MIN_GROWTH} since the last one: large images, read on the pool's workers,
 * leave too little on this thread to be worth a full collection each second.
 *
 * After a burst of decoding, glibc keeps the memory that libvips and the decoders freed in its
 * arenas, and resident memory stays at the burst's peak. Where glibc and FFI are available this
 * calls `malloc_trim(0)` once the server has been idle for `idleMs`, so that an idle server
 * shrinks back; elsewhere it does nothing. It also sets, once, how glibc allocates (see below).
 *
 * Under steady load the server is never idle, and each of glibc's arenas (16 of them here, 8 per
 * core, all made by the threads Deno starts before any of this runs) keeps the pages it freed: in
 * a 60 s soak of mixed traffic they held 172 MB, 37 MB of it in use. So, when `busyMs` > 0, a
 * request that ends at least `busyMs` after the last trim starts one too, off the event loop (on
 * a thread of Deno's blocking pool: it takes a few ms, longer on a loaded machine).
 */
export function createIdleTrim(idleMs: number, busyMs = 0, gcMs = 0): IdleTrim {
  let libc = openLibc();
  const collector = gcMs > 0 ? createGarbageCollector(gcMs, GC_MIN_GROWTH) : null;
  // Decoded images are large buffers that live for one request. glibc raises its mmap threshold
  // (up to 32 MB) each time such a buffer is freed, after which they come from the heap and stay
  // resident; a fixed threshold gives each back to the system when freed. (Capping the arenas
  // here, with M_ARENA_MAX, would change nothing: every arena is made before this runs.)
  libc?.symbols.mallopt(M_MMAP_THRESHOLD, 256 * 1024);
  let active = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastTrim = performance.now();
  /** The off-thread trim in progress, if any (the library stays open until it ends). */
  let trimming: Promise<unknown> | null = null;
  const trimOffThread = (lib: Libc) => {
    lastTrim = performance.now();
    trimming = lib.symbols.malloc_trim_off_thread(0n).finally(() => (trimming = null));
  };
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
      const collected = collector?.collect() ?? false;
      if (libc === null) return;
      const due = busyMs > 0 && performance.now() - lastTrim >= busyMs;
      if (trimming === null && (collected || due)) trimOffThread(libc);
      if (active > 0) return;
      stop();
      const id = setTimeout(() => {
        timer = undefined;
        lastTrim = performance.now();
        collector?.collect(true);
        libc?.symbols.malloc_trim(0n);
      }, idleMs);
      Deno.unrefTimer(id as unknown as number);
      timer = id;
    },
    close() {
      stop();
      const lib = libc;
      libc = null; // a request that ends after this trims nothing
      if (trimming === null) lib?.close();
      else trimming.finally(() => lib?.close());
    },
  };
}
