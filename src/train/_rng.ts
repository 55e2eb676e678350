/**
 * The training stage's names for the data stage's seeded PRNG (one implementation: mulberry32 and
 * Fisher–Yates in `src/data/_prng.ts`).
 *
 * @module
 */
export {
  mulberry32 as createRng,
  type Prng as Rng,
  shuffledIndices as permutation,
} from "../data/_prng.ts";
