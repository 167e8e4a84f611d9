/**
 * @module server/auth/quota-counter
 * Daily quotas per key: requests and samples per UTC day. consume() checks and counts in one
 * step, and counts nothing when it refuses, so refused requests do not use up the quota.
 * The day is taken from the caller's clock (injectable), so replicas roll over together as
 * long as their clocks agree to within the skew that matters at midnight.
 */

/** How much a request uses, or how much has been used. */
export interface QuotaUsage {
  readonly requests: number
  readonly samples: number
}

/** Limits per UTC day; an absent field is unlimited. */
export interface DailyQuota {
  readonly requests?: number
  readonly samples?: number
}

/** The answer to one consume(). */
export interface QuotaDecision {
  readonly allowed: boolean
  /** The first limit that would be passed, when refused. */
  readonly exceeded?: 'requests' | 'samples'
  /** Today's totals after this call (unchanged when refused). */
  readonly used: QuotaUsage
  /** 0 when allowed; otherwise ms until the next UTC midnight, when the quota renews. */
  readonly retryAfterMs: number
  /** 'YYYY-MM-DD', UTC. */
  readonly day: string
}

/** Counts usage per key per UTC day. */
export interface QuotaCounter {
  /** Adds `usage` to today's totals of `key` if that stays within `quota`; otherwise adds nothing. */
  consume(key: string, usage: QuotaUsage, quota: DailyQuota): Promise<QuotaDecision>
  /** Today's totals of `key`. */
  read(key: string): Promise<QuotaUsage>
}

const DAY_MS = 86_400_000

/** 'YYYY-MM-DD' of an epoch-ms time, in UTC. */
export function utcDay(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10)
}

/** Milliseconds from `epochMs` to the next UTC midnight (never 0). */
export function msUntilNextUtcDay(epochMs: number): number {
  return DAY_MS - (((epochMs % DAY_MS) + DAY_MS) % DAY_MS)
}

/** Which limit `used + usage` would pass, if any. */
export function exceededLimit(used: QuotaUsage, usage: QuotaUsage, quota: DailyQuota): 'requests' | 'samples' | undefined {
  if (quota.requests !== undefined && used.requests + usage.requests > quota.requests) return 'requests'
  if (quota.samples !== undefined && used.samples + usage.samples > quota.samples) return 'samples'
  return undefined
}

/** Throws RangeError for negative or fractional usage. */
export function checkUsage(usage: QuotaUsage): void {
  for (const [name, value] of Object.entries(usage)) {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`quota ${name} must be an integer ≥ 0, got ${value}`)
  }
}

/** Options of MemoryQuotaCounter. */
export interface MemoryQuotaCounterOptions {
  /** Epoch milliseconds; default Date.now. */
  readonly now?: () => number
}

interface DayTotals {
  day: string
  requests: number
  samples: number
}

/** Quotas in this process's memory: one replica's view only; use RedisQuotaCounter for several. */
export class MemoryQuotaCounter implements QuotaCounter {
  readonly #totals = new Map<string, DayTotals>()
  readonly #now: () => number

  constructor(options: MemoryQuotaCounterOptions = {}) {
    this.#now = options.now ?? Date.now
  }

  consume(key: string, usage: QuotaUsage, quota: DailyQuota): Promise<QuotaDecision> {
    checkUsage(usage)
    const now = this.#now()
    const totals = this.#today(key, now)
    const exceeded = exceededLimit(totals, usage, quota)
    if (exceeded === undefined) {
      totals.requests += usage.requests
      totals.samples += usage.samples
    }
    const used = { requests: totals.requests, samples: totals.samples }
    return Promise.resolve(
      exceeded === undefined
        ? { allowed: true, used, retryAfterMs: 0, day: totals.day }
        : { allowed: false, exceeded, used, retryAfterMs: msUntilNextUtcDay(now), day: totals.day },
    )
  }

  read(key: string): Promise<QuotaUsage> {
    const { requests, samples } = this.#today(key, this.#now())
    return Promise.resolve({ requests, samples })
  }

  #today(key: string, now: number): DayTotals {
    const day = utcDay(now)
    let totals = this.#totals.get(key)
    if (totals === undefined || totals.day !== day) {
      // A new day drops yesterday's entries of every key, so the map holds one day at most.
      if (totals !== undefined) for (const [k, t] of this.#totals) if (t.day !== day) this.#totals.delete(k)
      totals = { day, requests: 0, samples: 0 }
      this.#totals.set(key, totals)
    }
    return totals
  }
}
