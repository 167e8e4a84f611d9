/**
 * @module training/datasets/seeded-random
 * A small seeded PRNG (mulberry32) and a Fisher–Yates permutation built on it, so that
 * shuffles and splits are the same on every run and every machine for the same seed.
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

/** A permutation of 0..n-1, shuffled by Fisher–Yates with mulberry32(seed). */
export function seededPermutation(n: number, seed: number): Uint32Array {
  const order = new Uint32Array(n)
  for (let i = 0; i < n; i++) order[i] = i
  const random = mulberry32(seed)
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    const swap = order[i]!
    order[i] = order[j]!
    order[j] = swap
  }
  return order
}
