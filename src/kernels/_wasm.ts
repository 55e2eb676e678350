/** Loads `wasm/kernels.wasm` once and lays float32 buffers out in its memory. */

/** The exports of `assembly/kernels.ts`; pointers are byte offsets. */
export interface KernelExports {
  memory: WebAssembly.Memory;
  heapStart(): number;
  gemm(
    a: number,
    sai: number,
    sak: number,
    b: number,
    ldb: number,
    c: number,
    ldc: number,
    M: number,
    N: number,
    K: number,
    accumulate: number,
  ): void;
  transpose(src: number, dst: number, R: number, C: number): void;
  im2col(
    x: number,
    col: number,
    B: number,
    H: number,
    W: number,
    C: number,
    OH: number,
    OW: number,
    KH: number,
    KW: number,
    sh: number,
    sw: number,
    dh: number,
    dw: number,
    padT: number,
    padL: number,
  ): void;
  col2im(
    col: number,
    dx: number,
    B: number,
    H: number,
    W: number,
    C: number,
    OH: number,
    OW: number,
    KH: number,
    KW: number,
    sh: number,
    sw: number,
    dh: number,
    dw: number,
    padT: number,
    padL: number,
  ): void;
  maxPool(
    x: number,
    y: number,
    B: number,
    H: number,
    W: number,
    C: number,
    OH: number,
    OW: number,
    KH: number,
    KW: number,
    sh: number,
    sw: number,
    dh: number,
    dw: number,
    padT: number,
    padL: number,
  ): void;
  maxPoolGrad(
    dy: number,
    x: number,
    dx: number,
    B: number,
    H: number,
    W: number,
    C: number,
    OH: number,
    OW: number,
    KH: number,
    KW: number,
    sh: number,
    sw: number,
    dh: number,
    dw: number,
    padT: number,
    padL: number,
  ): void;
  biasAct(y: number, bias: number, M: number, N: number, hasBias: number, act: number): void;
  binary(
    op: number,
    mode: number,
    a: number,
    b: number,
    out: number,
    n: number,
    nb: number,
  ): void;
  unary(op: number, x: number, out: number, n: number, alpha: number): void;
  sumRows(x: number, out: number, rows: number, inner: number): void;
  reluGrad(dy: number, x: number, out: number, n: number): void;
  sumCols(x: number, out: number, groups: number, len: number): void;
  adam(
    x: number,
    m: number,
    v: number,
    g: number,
    outX: number,
    outM: number,
    outV: number,
    n: number,
    beta1: number,
    oneMinusBeta1: number,
    beta2: number,
    oneMinusBeta2: number,
    c1: number,
    c2: number,
    epsilon: number,
    negLr: number,
  ): void;
}

let kernels: KernelExports | null = null;
let compiled: { module: WebAssembly.Module; memory: WebAssembly.Memory } | null = null;

/** The memory's ceiling in 64 KiB pages (1 GiB; shared memories need one). */
const MAX_PAGES = 16384;

/** What the kernels import: the shared memory and AssemblyScript's `abort`. */
export function importsFor(memory: WebAssembly.Memory): WebAssembly.Imports {
  return {
    env: {
      memory,
      abort(_msg: number, _file: number, line: number, column: number): never {
        throw new Error(`WebAssembly kernel aborted at line ${line}, column ${column}`);
      },
    },
  };
}

/** The compiled module and its shared memory, for workers that run kernels on the same memory. */
export function sharedModule(): { module: WebAssembly.Module; memory: WebAssembly.Memory } {
  if (compiled === null) {
    throw new Error("The simd kernels are not loaded: call registerSimdBackend()");
  }
  return compiled;
}

async function read(url: URL): Promise<Uint8Array<ArrayBuffer>> {
  return url.protocol === "file:"
    ? await Deno.readFile(url)
    : new Uint8Array(await (await fetch(url)).arrayBuffer());
}

/** `SIMD_KERNELS=plain` in the environment, where it may be read. */
function plainAsked(): boolean {
  try {
    return Deno.env.get("SIMD_KERNELS") === "plain";
  } catch {
    return false; // no --allow-env: the default
  }
}

/**
 * The kernels' bytes: the relaxed-SIMD build where the engine validates it and the environment
 * does not ask for the plain one (`SIMD_KERNELS=plain`, to test that build), else plain SIMD.
 */
export async function kernelBytes(): Promise<
  { build: "relaxed" | "plain"; bytes: Uint8Array<ArrayBuffer> }
> {
  if (!plainAsked()) {
    const relaxed = await read(new URL("./wasm/kernels.wasm", import.meta.url));
    if (WebAssembly.validate(relaxed)) return { build: "relaxed", bytes: relaxed };
  }
  return {
    build: "plain",
    bytes: await read(new URL("./wasm/kernels_plain.wasm", import.meta.url)),
  };
}

/** Compiles and instantiates the kernels (once). */
export async function loadKernels(): Promise<KernelExports> {
  if (kernels !== null) return kernels;
  const { bytes } = await kernelBytes();
  const module = await WebAssembly.compile(bytes);
  const memory = new WebAssembly.Memory({ initial: 64, maximum: MAX_PAGES, shared: true });
  const instance = await WebAssembly.instantiate(module, importsFor(memory));
  kernels = instance.exports as unknown as KernelExports;
  compiled = { module, memory };
  return kernels;
}

/** The loaded kernels; throws when {@linkcode loadKernels} has not run. */
export function wasm(): KernelExports {
  if (kernels === null) {
    throw new Error("The simd kernels are not loaded: call registerSimdBackend()");
  }
  return kernels;
}
