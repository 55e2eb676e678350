import * as tf from "@tensorflow/tfjs";
import { compareBackends, draw } from "./_kernels_compare.ts";
import { registerSimdBackend } from "../src/kernels/mod.ts";

tf.env().set("PROD", true);

interface ConvCase {
  name: string;
  x: number[];
  w: number[];
  strides: number | [number, number];
  pad: "valid" | "same";
  dilations?: number;
}

const CASES: ConvCase[] = [
  {
    name: "conv1 of the model (5×5×1→8, valid)",
    x: [3, 28, 28, 1],
    w: [5, 5, 1, 8],
    strides: 1,
    pad: "valid",
  },
  {
    name: "one input channel, direct path with tails (7×3×1→16, valid, width 13)",
    x: [2, 9, 13, 1],
    w: [7, 3, 1, 16],
    strides: 1,
    pad: "valid",
  },
  {
    name: "one input channel, direct path with a 6-wide window (2×6×1→8, valid)",
    x: [3, 5, 10, 1],
    w: [2, 6, 1, 8],
    strides: 1,
    pad: "valid",
  },
  {
    name: "conv2 of the model (5×5×8→16, valid)",
    x: [2, 12, 12, 8],
    w: [5, 5, 8, 16],
    strides: 1,
    pad: "valid",
  },
  {
    name: "odd sizes (3×2×3→5, same, stride 2)",
    x: [3, 9, 7, 3],
    w: [3, 2, 3, 5],
    strides: 2,
    pad: "same",
  },
  {
    name: "odd channels (4×4×5→7, stride [2,3])",
    x: [1, 11, 10, 5],
    w: [4, 4, 5, 7],
    strides: [2, 3],
    pad: "valid",
  },
  {
    name: "dilated (3×3×2→9, same)",
    x: [2, 8, 8, 2],
    w: [3, 3, 2, 9],
    strides: 1,
    pad: "same",
    dilations: 2,
  },
];

for (const c of CASES) {
  Deno.test(`simd conv2d() matches cpu: ${c.name}`, async () => {
    await compareBackends(
      [c.x, c.w],
      (x, w) =>
        tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.strides, c.pad, "NHWC", c.dilations ?? 1),
      { fast: ["Conv2D"] },
    );
  });

  // tfjs has no gradient for dilated convolutions, on any backend.
  if (c.dilations !== undefined) continue;
  Deno.test(`simd conv2d() gradients match cpu: ${c.name}`, async () => {
    await compareBackends([c.x, c.w], (x, w) => {
      const f = (a: tf.Tensor, b: tf.Tensor) =>
        tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad, "NHWC", c.dilations ?? 1)
          .square().sum();
      return tf.grads(f)([x, w]);
    }, { fast: ["Conv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter"] });
  });
}

Deno.test("simd fused conv2d() with bias and relu matches cpu, gradients included", async () => {
  await compareBackends([[4, 13, 13, 3], [5, 5, 3, 8], [8]], (x, w, b) => {
    const f = (a: tf.Tensor, k: tf.Tensor, bias: tf.Tensor) =>
      tf.fused.conv2d({
        x: a as tf.Tensor4D,
        filter: k as tf.Tensor4D,
        strides: 1,
        pad: "valid",
        bias,
        activation: "relu",
      }).sum();
    return [
      tf.fused.conv2d({
        x: x as tf.Tensor4D,
        filter: w as tf.Tensor4D,
        strides: 1,
        pad: "valid",
        bias: b,
        activation: "relu",
      }),
      ...tf.grads(f)([x, w, b]),
    ];
  }, { fast: ["FusedConv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter", "SimdReluGrad"] });
});

Deno.test("simd conv2d() handles a batch larger than one im2col chunk", async () => {
  await compareBackends([[300, 28, 28, 1], [5, 5, 1, 8]], (x, w) => {
    const f = (a: tf.Tensor, b: tf.Tensor) =>
      tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, "valid").sum();
    return [tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, "valid"), ...tf.grads(f)([x, w])];
  }, { tol: 2e-4, fast: ["Conv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter"] });
});

Deno.test("simd conv2d() with a helper thread matches cpu, gradients included", async () => {
  await registerSimdBackend({ threads: 2 });
  try {
    for (const c of CASES.filter((c) => c.dilations === undefined)) {
      await compareBackends([c.x, c.w], (x, w) => {
        const f = (a: tf.Tensor, b: tf.Tensor) =>
          tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad).square().sum();
        return [
          tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.strides, c.pad),
          ...tf.grads(f)([x, w]),
        ];
      }, { fast: ["Conv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter"] });
    }
  } finally {
    await registerSimdBackend({ threads: 1 });
  }
});

for (const seed of [1, 2, 3, 4, 5, 6]) {
  const int = draw(seed);
  const [kh, kw, c, co] = [int(1, 5), int(1, 5), int(1, 6), int(1, 12)];
  const x = [int(1, 4), kh + int(0, 9), kw + int(0, 9), c];
  const strides: [number, number] = [int(1, 3), int(1, 3)];
  const pad = int(0, 1) === 0 ? "valid" : "same";
  Deno.test(`simd conv2d() matches cpu on drawn shapes (seed ${seed}: x ${x}, filter ${kh}×${kw}×${c}→${co}, stride ${strides}, ${pad}), gradients included`, async () => {
    await compareBackends([x, [kh, kw, c, co]], (a, w) => {
      const conv = (p: tf.Tensor, q: tf.Tensor) =>
        tf.conv2d(p as tf.Tensor4D, q as tf.Tensor4D, strides, pad);
      const f = (p: tf.Tensor, q: tf.Tensor) => conv(p, q).square().sum();
      return [conv(a, w), ...tf.grads(f)([a, w])];
    }, { fast: ["Conv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter"], seed });
  });
}
