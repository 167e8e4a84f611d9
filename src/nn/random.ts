/**
 * @module nn/random
 * Deterministic random numbers for weight initialisation: mulberry32 (the generator of
 * onnx/example-models' seededUniform) with Box-Muller normals, and a seed derivation
 * that gives every weight of a model its own stream from one model seed.
 */

/** A seeded stream of uniform and normal numbers. */
export class SeededRandom {
  #state: number
  #spare: number | undefined

  constructor(seed: number) {
    this.#state = seed >>> 0
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0
    let t = this.#state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
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
