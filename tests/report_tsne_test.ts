import assert from "node:assert/strict";
import { tsne } from "../src/report/mod.ts";

/** Two Gaussian clusters in 10-D, 30 points each, centres 20 apart. */
function twoClusters(): Float32Array {
  let state = 7;
  const uniform = (): number =>
    ((state = (state * 1103515245 + 12345) % 2147483648) + 0.5) / 2147483648;
  const gauss = (): number =>
    Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  return Float32Array.from({ length: 60 * 10 }, (_, i) => (i < 300 ? 0 : 20) + gauss());
}

Deno.test("tsne() keeps two well-separated Gaussian clusters apart", () => {
  const y = tsne(twoClusters(), 60, 10, { perplexity: 10, iterations: 300, seed: 3 });
  assert.equal(y.length, 120);
  assert.ok(y.every(Number.isFinite));
  const centre = (from: number): [number, number] => {
    let x = 0, z = 0;
    for (let i = from; i < from + 30; i++) [x, z] = [x + y[2 * i] / 30, z + y[2 * i + 1] / 30];
    return [x, z];
  };
  const [a, b] = [centre(0), centre(30)];
  const between = Math.hypot(a[0] - b[0], a[1] - b[1]);
  // Every point is nearer its own cluster's centre than the other's, and the gap dwarfs the spread.
  let spread = 0;
  for (let i = 0; i < 60; i++) {
    const [own, other] = i < 30 ? [a, b] : [b, a];
    const dOwn = Math.hypot(y[2 * i] - own[0], y[2 * i + 1] - own[1]);
    assert.ok(dOwn < Math.hypot(y[2 * i] - other[0], y[2 * i + 1] - other[1]), `point ${i}`);
    spread = Math.max(spread, dOwn);
  }
  assert.ok(between > 2 * spread, `centres ${between} apart, spread ${spread}`);
});

Deno.test("tsne() is deterministic for a seed and checks its input size", () => {
  const points = twoClusters();
  const options = { perplexity: 5, iterations: 50, seed: 9 };
  assert.deepEqual(tsne(points, 60, 10, options), tsne(points, 60, 10, options));
  assert.throws(() => tsne(points, 61, 10), RangeError);
});
