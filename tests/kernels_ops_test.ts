import * as tf from "@tensorflow/tfjs";
import { deepEqual } from "node:assert/strict";
import { compareBackends, draw } from "./_kernels_compare.ts";
import { registerSimdBackend } from "../src/kernels/mod.ts";

tf.env().set("PROD", true);

const MATMULS: [number[], number[], boolean, boolean][] = [
  [[32, 256], [256, 128], false, false], // dense1 forward of the model
  [[7, 13], [13, 5], false, false],
  [[13, 7], [13, 6], true, false],
  [[7, 13], [9, 13], false, true],
  [[13, 7], [9, 13], true, true],
  [[3, 5, 6], [3, 6, 11], false, false],
  [[5, 300], [300, 9], false, false], // inner dimension over one cache block, row and column tails
  [[300, 6], [300, 19], true, false],
  [[3, 5, 6], [6, 10], false, false],
];

for (const [sa, sb, ta, tb] of MATMULS) {
  Deno.test(`simd matMul() matches cpu for ${sa}×${sb} (transpose ${ta}, ${tb}), gradients included`, async () => {
    await compareBackends([sa, sb], (a, b) => {
      const f = (x: tf.Tensor, y: tf.Tensor) => tf.matMul(x, y, ta, tb).square().sum();
      // tfjs has no gradient for a product that broadcasts a batch dimension, on any backend.
      const broadcast = sa.length !== sb.length;
      return [tf.matMul(a, b, ta, tb), ...(broadcast ? [] : tf.grads(f)([a, b]))];
    }, { fast: ["BatchMatMul"] });
  });
}

Deno.test("simd fused matMul() with bias and relu matches cpu, gradients included", async () => {
  await compareBackends([[32, 256], [256, 128], [128]], (a, b, bias) => {
    const f = (x: tf.Tensor, w: tf.Tensor, c: tf.Tensor) =>
      tf.fused.matMul({ a: x as tf.Tensor2D, b: w as tf.Tensor2D, bias: c, activation: "relu" })
        .sum();
    return [
      tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, bias, activation: "relu" }),
      ...tf.grads(f)([a, b, bias]),
    ];
  }, { fast: ["_FusedMatMul", "BatchMatMul", "SimdReluGrad"] });
});

const POOLS: [number[], number, number, "valid" | "same"][] = [
  [[3, 24, 24, 8], 2, 2, "valid"], // pool1 of the model
  [[2, 8, 8, 16], 2, 2, "valid"], // pool2
  [[2, 9, 7, 3], 3, 2, "same"],
  [[1, 5, 5, 5], 2, 1, "valid"],
  [[2, 9, 9, 4], 3, 2, "same"], // SIMD lanes, overlapping windows and padding
  [[2, 7, 7, 8], 2, 2, "valid"], // SIMD lanes, a remainder row and column
  [[2, 9, 6, 4], 3, 3, "valid"], // SIMD lanes, 3×3 tiles
];

Deno.test("simd maxPool() gradient sends ties to the first maximum, like cpu", async () => {
  await compareBackends([[3, 12, 12, 8]], (x) => {
    const ties = x.mul(2).round(); // values in {-2, …, 2}: most windows tie
    const weights = x.slice([0, 0, 0, 0], [3, 6, 6, 8]); // a distinct dy for every window
    const f = (a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, 2, 2, "valid").mul(weights).sum();
    return [tf.maxPool(ties as tf.Tensor4D, 2, 2, "valid"), tf.grad(f)(ties)];
  }, { tol: 0, fast: ["MaxPool", "MaxPoolGrad"] });
});

for (const [shape, size, stride, pad] of POOLS) {
  Deno.test(`simd maxPool() matches cpu on ${shape} (${size}×${size}, stride ${stride}, ${pad}), gradient included`, async () => {
    await compareBackends([shape], (x) => {
      const f = (a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, size, stride, pad).square().sum();
      return [tf.maxPool(x as tf.Tensor4D, size, stride, pad), tf.grad(f)(x)];
    }, { tol: 1e-6, fast: shape[3] % 4 === 0 ? ["MaxPool", "MaxPoolGrad"] : [] });
  });
}

Deno.test("simd element-wise kernels match cpu with same shapes, scalars and broadcast rows", async () => {
  await compareBackends([[4, 5, 6], [6], [5, 6], [1]], (a, b, c, s) => [
    a.add(b),
    b.add(a),
    a.sub(c),
    c.sub(a),
    a.mul(s),
    s.mul(a),
    a.div(b.abs().add(1)),
    a.maximum(c),
    a.relu(),
    a.abs().sqrt(),
    a.square(),
    a.neg(),
    tf.step(a, 0.3),
    a.add(a),
  ], {
    tol: 1e-6,
    fast: ["Add", "Sub", "Multiply", "RealDiv", "Maximum", "Relu", "Sqrt", "Square", "Neg", "Step"],
  });
});

Deno.test("simd element-wise kernels match cpu with columns broadcast over rows", async () => {
  await compareBackends([[6, 10], [6, 1], [2, 3, 5], [2, 1, 1]], (a, col, x, c3) => [
    col.mul(a),
    a.div(col.abs().add(1)),
    a.sub(col),
    x.add(c3),
    c3.sub(x),
    tf.maximum(x, c3),
  ], { tol: 1e-6, fast: ["Add", "Sub", "Multiply", "RealDiv", "Maximum"] });
});

Deno.test("simd relu() gradient matches cpu, second order included", async () => {
  await compareBackends([[4, 6, 6, 8], [4, 6, 6, 8]], (x, w) => {
    const f = (a: tf.Tensor) => a.relu().mul(w).sum();
    const g2 = tf.grad((a: tf.Tensor) =>
      tf.grad((b: tf.Tensor) => b.relu().square().sum())(a).sum()
    );
    return [tf.grad(f)(x), g2(x)];
  }, { tol: 0, fast: ["SimdReluGrad", "Relu"] });
});

Deno.test("simd relu() gradient keeps NaN and zero like cpu", async () => {
  await registerSimdBackend();
  const got: number[][] = [];
  for (const backend of ["cpu", "simd"]) {
    await tf.setBackend(backend);
    const x = tf.tensor1d([NaN, -1, 0, 2, -0, Infinity, -Infinity, 3, NaN]);
    const g = tf.grad((a: tf.Tensor) => a.relu().mul(tf.range(1, 10)).sum())(x);
    got.push(Array.from(await g.data()));
    tf.dispose([x, g]);
  }
  deepEqual(got[1], got[0]);
});

Deno.test("simd relu() gradient runs as one SimdReluGrad kernel instead of Step and Multiply", async () => {
  await registerSimdBackend();
  await tf.setBackend("simd");
  const x = tf.tensor2d([[1, -2], [-3, 4]]);
  const info = await tf.profile(() => tf.grad((a: tf.Tensor) => a.relu().sum())(x));
  deepEqual(info.kernelNames.filter((k) => ["SimdReluGrad", "Step"].includes(k)), ["SimdReluGrad"]);
  x.dispose();
});

Deno.test("simd softmax() matches cpu on the last axis, gradient included", async () => {
  await compareBackends([[32, 10], [2, 3, 7]], (a, b) => {
    const big = a.mul(40); // large logits: the maximum must be subtracted first
    return [tf.softmax(big), tf.softmax(b), tf.grad((x) => tf.softmax(x).square().sum())(a)];
  }, { tol: 1e-6, fast: ["Softmax"] });
});

Deno.test("simd sum() matches cpu over leading, trailing and other axes", async () => {
  await compareBackends([[4, 5, 6, 3]], (x) => [
    x.sum([0, 1, 2]),
    x.sum(0),
    x.sum(-1),
    x.sum([2, 3], true),
    x.sum([0, 2]),
    x.sum(),
  ], { tol: 1e-5, fast: ["Sum"], fallback: ["Sum"] });
});

Deno.test("simd sum() over trailing axes equals cpu bit for bit (the loss's class sums)", async () => {
  await compareBackends(
    [[32, 10], [3, 4, 7]],
    (a, b) => [a.sum(-1), b.sum([1, 2]), a.sum(1, true)],
    { tol: 0, fast: ["Sum"] },
  );
});

Deno.test("simd mean() equals cpu bit for bit over trailing axes, and falls back otherwise", async () => {
  await compareBackends([[32], [4, 5, 6]], (a, b) => [
    a.mean(),
    b.mean(),
    b.mean(-1),
    b.mean([1, 2], true),
    b.mean(0),
    b.mean([0, 2]),
  ], { tol: 0, fast: ["Mean"], fallback: ["Mean"] });
});

Deno.test("simd gather() matches cpu for rows and falls back for other axes", async () => {
  await compareBackends([[10, 4, 3]], (x) => {
    const idx = tf.tensor1d([3, 0, 9, 3, 5], "int32");
    return [
      tf.gather(x, idx),
      tf.gather(x, tf.tensor1d([2, 0], "int32"), 2),
      tf.gather(x.cast("int32"), idx).cast("float32"),
    ];
  }, { tol: 0, fast: ["GatherV2"], fallback: ["GatherV2"] });
});

Deno.test("simd maxPool() with a helper thread matches cpu, gradient included", async () => {
  await registerSimdBackend({ threads: 2 });
  try {
    for (const [shape, size, stride, pad] of POOLS) {
      await compareBackends([shape], (x) => {
        const f = (a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, size, stride, pad).square().sum();
        return [tf.maxPool(x as tf.Tensor4D, size, stride, pad), tf.grad(f)(x)];
      }, { tol: 1e-6, fast: shape[3] % 4 === 0 ? ["MaxPool", "MaxPoolGrad"] : [] });
    }
  } finally {
    await registerSimdBackend({ threads: 1 });
  }
});

for (const seed of [1, 2, 3, 4, 5, 6]) {
  const int = draw(seed);
  const [m, k, n] = [int(1, 70), int(1, 300), int(1, 70)];
  const [ta, tb] = [int(0, 1) === 1, int(0, 1) === 1];
  Deno.test(`simd matMul() matches cpu on drawn shapes (seed ${seed}: ${m}×${k}·${k}×${n}, transpose ${ta}, ${tb}), gradients included`, async () => {
    await compareBackends([ta ? [k, m] : [m, k], tb ? [n, k] : [k, n], [n]], (a, b, bias) => {
      const f = (x: tf.Tensor, y: tf.Tensor) => tf.matMul(x, y, ta, tb).square().sum();
      const fused = tf.fused.matMul({
        a: a as tf.Tensor2D,
        b: b as tf.Tensor2D,
        transposeA: ta,
        transposeB: tb,
        bias,
        activation: "relu",
      });
      return [tf.matMul(a, b, ta, tb), fused, ...tf.grads(f)([a, b])];
    }, { fast: ["BatchMatMul", "_FusedMatMul"], seed });
  });

  const [size, stride] = [int(1, 3), int(1, 3)];
  const shape = [int(1, 3), size + int(0, 9), size + int(0, 9), 4 * int(1, 4)];
  const pad = int(0, 1) === 0 ? "valid" : "same";
  Deno.test(`simd maxPool() and element-wise kernels match cpu on drawn shapes (seed ${seed}: ${shape}, ${size}×${size}, stride ${stride}, ${pad})`, async () => {
    const row = [shape[3]], col = [shape[0], 1, 1, 1];
    await compareBackends([shape, row, col], (x, r, c) => {
      const f = (a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, size, stride, pad).square().sum();
      return [
        tf.maxPool(x as tf.Tensor4D, size, stride, pad),
        tf.grad(f)(x),
        x.add(r),
        x.mul(c),
        x.sub(x.relu()).div(r.abs().add(1)),
        x.sum([0, 1, 2]),
      ];
    }, {
      tol: 1e-6,
      fast: ["MaxPool", "MaxPoolGrad", "Add", "Multiply", "Sub", "RealDiv", "Relu", "Sum"],
      seed,
    });
  });
}
