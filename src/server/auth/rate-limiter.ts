/**
 * @module server/auth/rate-limiter
 * Token buckets: the RateLimiter seam and its in-memory implementation. A bucket holds up to
 * `capacity` tokens (the burst) and gains `refillPerSecond` (the sustained rate); a request
 * takes `cost` tokens or is refused with the time until enough have come back.
 * MemoryRateLimiter serves one process; RedisRateLimiter shares buckets between replicas.
 */

/** A bucket's shape. Both fields are positive and finite. */
export interface TokenBucketRule {
  readonly capacity: number
  readonly refillPerSecond: number
}

/** The answer to one take(). */
export interface RateLimitDecision {
  readonly allowed: boolean
  /** 0 when allowed; otherwise ms until `cost` tokens are back (Infinity when cost > capacity). */
  readonly retryAfterMs: number
  /** Whole tokens left after this take. */
  readonly remaining: number
}

/** Takes tokens from named buckets; the bucket is created full on first use. */
export interface RateLimiter {
  take(bucketKey: string, cost: number, rule: TokenBucketRule): Promise<RateLimitDecision>
}

/** Options of MemoryRateLimiter. */
export interface MemoryRateLimiterOptions {
  /** Wall or monotonic milliseconds; injectable for tests. Default performance.now. */
  readonly now?: () => number
  /**
   * Above this many buckets, full ones (no different from absent ones) are dropped. A soft
   * bound: buckets still refilling are kept, since dropping them would hand out tokens.
   * Default 10 000.
   */
  readonly maxBuckets?: number
}

interface Bucket {
  tokens: number
  at: number
  /** When the bucket will be full again, and so no different from an absent one. */
  fullAt: number
}

/** Token buckets in this process's memory: exact, fast, and per replica. */
export class MemoryRateLimiter implements RateLimiter {
  readonly #buckets = new Map<string, Bucket>()
  readonly #now: () => number
  readonly #maxBuckets: number

  constructor(options: MemoryRateLimiterOptions = {}) {
    this.#now = options.now ?? (() => performance.now())
    this.#maxBuckets = options.maxBuckets ?? 10_000
  }

  take(bucketKey: string, cost: number, rule: TokenBucketRule): Promise<RateLimitDecision> {
    return Promise.resolve(this.takeNow(bucketKey, cost, rule))
  }

  /** take() without the promise, for callers in the same tick. */
  takeNow(bucketKey: string, cost: number, rule: TokenBucketRule): RateLimitDecision {
    checkTake(cost, rule)
    const now = this.#now()
    let bucket = this.#buckets.get(bucketKey)
    if (bucket === undefined) {
      if (this.#buckets.size >= this.#maxBuckets) this.#dropFull(now)
      bucket = { tokens: rule.capacity, at: now, fullAt: now }
      this.#buckets.set(bucketKey, bucket)
    } else {
      bucket.tokens = refill(bucket, now, rule)
      bucket.at = Math.max(bucket.at, now)
    }
    const decision = spend(bucket, cost, rule)
    bucket.fullAt = bucket.at + ((rule.capacity - bucket.tokens) * 1000) / rule.refillPerSecond
    return decision
  }

  /** Buckets held now (for tests and metrics). */
  get size(): number {
    return this.#buckets.size
  }

  #dropFull(now: number): void {
    // O(n), but only when the map is full, and it frees every bucket idle long enough to refill.
    for (const [key, bucket] of this.#buckets) if (bucket.fullAt <= now) this.#buckets.delete(key)
  }
}

/** Throws RangeError for a cost or rule that makes no sense (a configuration bug, not a client error). */
export function checkTake(cost: number, rule: TokenBucketRule): void {
  if (!(Number.isFinite(cost) && cost >= 0)) throw new RangeError(`token cost must be a finite number ≥ 0, got ${cost}`)
  if (!(Number.isFinite(rule.capacity) && rule.capacity > 0)) {
    throw new RangeError(`bucket capacity must be a finite number > 0, got ${rule.capacity}`)
  }
  if (!(Number.isFinite(rule.refillPerSecond) && rule.refillPerSecond > 0)) {
    throw new RangeError(`bucket refillPerSecond must be a finite number > 0, got ${rule.refillPerSecond}`)
  }
}

function refill(bucket: Bucket, now: number, rule: TokenBucketRule): number {
  const elapsed = Math.max(0, now - bucket.at)
  return Math.min(rule.capacity, bucket.tokens + (elapsed * rule.refillPerSecond) / 1000)
}

function spend(bucket: Bucket, cost: number, rule: TokenBucketRule): RateLimitDecision {
  if (bucket.tokens >= cost) {
    bucket.tokens -= cost
    return { allowed: true, retryAfterMs: 0, remaining: Math.floor(bucket.tokens) }
  }
  const retryAfterMs = cost > rule.capacity
    ? Number.POSITIVE_INFINITY
    : Math.ceil(((cost - bucket.tokens) * 1000) / rule.refillPerSecond)
  return { allowed: false, retryAfterMs, remaining: Math.floor(bucket.tokens) }
}
