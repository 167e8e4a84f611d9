/**
 * @module nn/random
 * Deterministic random numbers for weight initialisation: core's mulberry32 with Box-Muller normals, and a seed derivation
 * that gives every weight of a model its own stream from one model seed.
 */
import { mulberry32 } from '../core/mulberry32.ts'

/** A seeded stream of uniform and normal numbers. */
export class SeededRandom {
  readonly #uniform: () => number
  #spare: number | undefined

  constructor(seed: number) {
    this.#uniform = mulberry32(seed)
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.#uniform()
  }

  /** Standard normal (Box-Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.#spare !== undefined) {
      const spare = this.#spare
      this.#spare = undefined
      return spare
    }
    const radius = Math.sqrt(-2 * Math.log(1 - this.next()))
    const angle = 2 * Math.PI * this.next()
    this.#spare = radius * Math.sin(angle)
    return radius * Math.cos(angle)
  }

  /** Standard normal truncated to [-2, 2], by rejection (as TensorFlow's truncated_normal). */
  truncatedNormal(): number {
    for (;;) {
      const value = this.normal()
      if (Math.abs(value) <= 2) return value
    }
  }
}

/** A 32-bit seed for `label` (a weight name) under `seed`: FNV-1a over both. */
export function deriveSeed(seed: number, label: string): number {
  let hash = 0x811c9dc5 ^ (seed >>> 0)
  hash = Math.imul(hash, 0x01000193)
  for (let index = 0; index < label.length; index++) {
    hash ^= label.charCodeAt(index)
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}
