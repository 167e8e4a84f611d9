/**
 * @module core/mulberry32
 * The project's one seeded PRNG (mulberry32): shuffles, splits, weight initialisation, example
 * models and tests draw from it, so a seed gives the same numbers on every run and machine.
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
