/**
 * @module core/mulberry32
 * The seeded PRNG (mulberry32) of shuffles, splits, weight initialisation and example models,
 * so a seed gives the same numbers on every run and machine. (Two test helpers keep their own
 * generators: nn-testing's and the TF.js reference's fixed test values.)
 */

/** Returns a function yielding uniform floats in [0, 1), fully determined by `seed` (a 32-bit integer). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
