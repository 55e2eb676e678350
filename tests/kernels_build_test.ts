import { deepEqual, equal, ok } from "node:assert/strict";
import { buildKernels, KERNEL_BUILDS } from "../src/kernels/build_kernels.ts";
import { importsFor, kernelBytes, type KernelExports } from "../src/kernels/_wasm.ts";
import { randoms } from "./_kernels_compare.ts";

for (const build of ["relaxed", "plain"] as const) {
  Deno.test(`buildKernels("${build}") reproduces the committed ${build} build from its AssemblyScript source`, async () => {
    const dir = await Deno.makeTempDir();
    try {
      const out = new URL(`file://${dir}/kernels.wasm`);
      await buildKernels(build, out);
      deepEqual(await Deno.readFile(out), await Deno.readFile(KERNEL_BUILDS[build].file));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

/** The kernels of one build, instantiated on a fresh memory. */
async function instantiate(file: URL): Promise<KernelExports> {
  const memory = new WebAssembly.Memory({ initial: 64, maximum: 16384, shared: true });
  const module = await WebAssembly.compile(await Deno.readFile(file));
  const instance = await WebAssembly.instantiate(module, importsFor(memory));
  return instance.exports as unknown as KernelExports;
}

Deno.test("both builds' GEMM (fused multiply-add or not) match a float64 product", async () => {
  const [m, n, k] = [33, 21, 250]; // row, column and inner tails
  const a = randoms(m * k, 1), b = randoms(k * n, 2);
  const want = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      for (let p = 0; p < k; p++) want[i * n + j] += a[i * k + p] * b[p * n + j];
    }
  }
  const scale = want.reduce((s, v) => Math.max(s, Math.abs(v)), 0);
  for (const build of ["relaxed", "plain"] as const) {
    const w = await instantiate(KERNEL_BUILDS[build].file);
    const base = w.heapStart();
    const pa = base, pb = pa + a.length * 4, pc = pb + b.length * 4;
    new Float32Array(w.memory.buffer, pa, a.length).set(a);
    new Float32Array(w.memory.buffer, pb, b.length).set(b);
    w.gemm(pa, k * 4, 4, pb, n, pc, n, m, n, k, 0);
    const got = new Float32Array(w.memory.buffer, pc, m * n);
    const worst = got.reduce((s, v, i) => Math.max(s, Math.abs(v - want[i]) / scale), 0);
    ok(worst < 1e-6, `${build}: worst error ${worst} of the product's scale`);
  }
});

Deno.test("the simd backend loads the relaxed-SIMD build where the engine has it, plain when asked", async () => {
  const relaxedValid = WebAssembly.validate(await Deno.readFile(KERNEL_BUILDS.relaxed.file));
  equal((await kernelBytes()).build, relaxedValid ? "relaxed" : "plain");
  Deno.env.set("SIMD_KERNELS", "plain");
  try {
    const plain = await kernelBytes();
    equal(plain.build, "plain");
    deepEqual(plain.bytes, await Deno.readFile(KERNEL_BUILDS.plain.file));
  } finally {
    Deno.env.delete("SIMD_KERNELS");
  }
});

Deno.test("the kernel tests on drawn shapes pass on the plain-SIMD build too", async () => {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "test",
      "-A",
      "--filter",
      "drawn shapes",
      "tests/kernels_conv_test.ts",
      "tests/kernels_ops_test.ts",
    ],
    cwd: new URL("..", import.meta.url).pathname,
    env: { SIMD_KERNELS: "plain", NO_COLOR: "1" },
  }).output();
  const out = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
  equal(code, 0, out.slice(-2000));
  ok(/ok \| 18 passed \| 0 failed/.test(out), out.slice(-500));
});
