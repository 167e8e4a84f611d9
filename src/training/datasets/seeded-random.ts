/**
 * @module training/datasets/seeded-random
 * A Fisher–Yates permutation on core's seeded PRNG (mulberry32), so that
 * shuffles and splits are the same on every run and every machine for the same seed.
 */

import { mulberry32 } from '../../core/mulberry32.ts'

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
