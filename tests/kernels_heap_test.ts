import * as tf from "@tensorflow/tfjs";
import { deepEqual, equal, ok } from "node:assert/strict";
import { registerSimdBackend } from "../src/kernels/mod.ts";
import { heapInUse } from "../src/kernels/_heap.ts";

tf.env().set("PROD", true);

async function useSimd(): Promise<void> {
  await registerSimdBackend();
  await tf.setBackend("simd");
}

Deno.test("simd dataSync() returns a copy that outlives the tensor's heap block", async () => {
  await useSimd();
  const x = tf.tensor1d([1, -2, 3, -4]);
  const y = x.relu(); // a heap tensor
  const seen = y.dataSync();
  ok(!(seen.buffer instanceof SharedArrayBuffer), "dataSync() exposes the heap");
  y.dispose();
  const z = x.neg(); // same size: reuses the freed block
  deepEqual(Array.from(seen), [1, 0, 3, 0]);
  deepEqual(Array.from(await z.data()), [-1, 2, -3, 4]);
  tf.dispose([x, z]);
});

Deno.test("simd slices of a heap tensor keep their values after the tensor is freed", async () => {
  await useSimd();
  const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]);
  const y = x.square(); // a heap tensor
  const row = y.slice([1, 0], [1, 2]); // tfjs' cpu Slice returns a view of its input
  y.dispose();
  const again = x.add(x); // reuses y's block
  deepEqual(Array.from(row.dataSync()), [9, 16]);
  tf.dispose([x, row, again]);
});

Deno.test("simd heap blocks go back to the heap: repeated steps do not grow it", async () => {
  await useSimd();
  const x = tf.randomNormal([8, 12, 12, 4]);
  const w = tf.randomNormal([3, 3, 4, 8]);
  const step = () =>
    tf.tidy(() => {
      const f = (a: tf.Tensor, b: tf.Tensor) =>
        tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, "same").relu().square().sum();
      return tf.grads(f)([x, w]);
    });
  tf.dispose(step());
  const before = heapInUse();
  for (let i = 0; i < 5; i++) tf.dispose(step());
  equal(heapInUse(), before);
  tf.dispose([x, w]);
});
