/**
 * @module server/auth/concurrency-limiter
 * At most N requests in flight per key, counted in this process. Concurrency protects this
 * replica's CPU and memory, so it is deliberately per replica: a key may have N requests on
 * each of R replicas. Sharing the count through Redis would cost a round trip per request
 * and leave counts stuck when a replica dies mid-request; fleet-wide fairness is the job of
 * the shared rate limits and quotas instead.
 */

/** Ends one acquired slot; calling it again does nothing. */
export type Release = () => void

/** Counts requests in flight per key. */
export class ConcurrencyLimiter {
  readonly #inflight = new Map<string, number>()

  /** A release function when `key` has fewer than `max` requests in flight, else undefined. */
  tryAcquire(key: string, max: number): Release | undefined {
    if (!(Number.isInteger(max) && max > 0)) throw new RangeError(`max concurrent requests must be an integer > 0, got ${max}`)
    const current = this.#inflight.get(key) ?? 0
    if (current >= max) return undefined
    this.#inflight.set(key, current + 1)
    let released = false
    return () => {
      if (released) return
      released = true
      const left = (this.#inflight.get(key) ?? 1) - 1
      if (left === 0) this.#inflight.delete(key)
      else this.#inflight.set(key, left)
    }
  }

  /** Requests of `key` in flight now. */
  inflight(key: string): number {
    return this.#inflight.get(key) ?? 0
  }

  /** Keys with requests in flight (the map holds no others). */
  get size(): number {
    return this.#inflight.size
  }
}
