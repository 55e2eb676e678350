/**
 * The seeded PRNG behind every shuffle of the project (the data split, the embedded set's order,
 * training batches, augmentation, t-SNE): mulberry32 (Tommy Ettinger, public domain), 32 bits of
 * state, a full period of 2^32 and good enough statistics for shuffles.
 *
 * @module
 */

/** A seeded generator of floats in [0, 1). */
export type Prng = () => number;

/**
 * mulberry32 seeded with `seed` (taken modulo 2^32).
 *
 * @param seed Any integer.
 * @returns A generator of floats in [0, 1); the same seed gives the same sequence.
 *
 * @example
 * ```ts
 * import { equal, ok } from "node:assert/strict";
 * import { mulberry32 } from "./prng.ts";
 * const [a, b] = [mulberry32(1212), mulberry32(1212)];
 * const x = a();
 * equal(x, b());
 * ok(x >= 0 && x < 1);
 * ```
 */
export function mulberry32(seed: number): Prng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A permutation of 0…n-1 by Fisher–Yates, drawing from `random`.
 *
 * @param n How many indices.
 * @param random The generator to draw from (advanced by n - 1 draws).
 * @returns The indices in shuffled order.
 *
 * @example
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { mulberry32, shuffledIndices } from "./prng.ts";
 * const order = shuffledIndices(5, mulberry32(1));
 * deepEqual([...order].sort(), [0, 1, 2, 3, 4]);
 * ```
 */
export function shuffledIndices(n: number, random: Prng): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

/**
 * A float drawn uniformly from [a, b) by one draw of `random`.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { drawBetween, mulberry32 } from "./prng.ts";
 * const x = drawBetween(mulberry32(7), 2, 5);
 * ok(x >= 2 && x < 5);
 * ```
 */
export function drawBetween(random: Prng, a: number, b: number): number {
  return a + (b - a) * random();
}

/**
 * One of `items` (an array, or the characters of a string) drawn uniformly by one draw of
 * `random`.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { drawFrom, mulberry32 } from "./prng.ts";
 * ok("abc".includes(drawFrom<string>(mulberry32(7), "abc")));
 * ```
 */
export function drawFrom<T>(random: Prng, items: readonly T[] | string): T {
  return items[Math.floor(random() * items.length)] as T;
}
