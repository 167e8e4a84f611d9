/**
 * @module server/auth/redis-quota-counter
 * Daily quotas in Redis, shared by all replicas. One hash per key and UTC day holds the
 * request and sample totals; a Lua script checks both limits and, only if both hold, adds
 * with HINCRBY and sets an EXPIRE just past the day's end, so old days clean themselves up.
 */
import type { Redis } from 'ioredis'
import {
  checkUsage, msUntilNextUtcDay, utcDay,
  type DailyQuota, type QuotaCounter, type QuotaDecision, type QuotaUsage,
} from './quota-counter.ts'
import { RedisScript } from './redis-script.ts'

// KEYS[1] totals hash; ARGV requests, samples, requestLimit, sampleLimit (-1: none), ttl seconds.
// → { allowed (1/0), exceeded ('requests' | 'samples' | ''), requests, samples }
const CONSUME = new RedisScript(`
local requests = tonumber(redis.call('HGET', KEYS[1], 'requests') or '0')
local samples = tonumber(redis.call('HGET', KEYS[1], 'samples') or '0')
local addRequests = tonumber(ARGV[1])
local addSamples = tonumber(ARGV[2])
local requestLimit = tonumber(ARGV[3])
local sampleLimit = tonumber(ARGV[4])
if requestLimit >= 0 and requests + addRequests > requestLimit then
  return { 0, 'requests', requests, samples }
end
if sampleLimit >= 0 and samples + addSamples > sampleLimit then
  return { 0, 'samples', requests, samples }
end
requests = redis.call('HINCRBY', KEYS[1], 'requests', addRequests)
samples = redis.call('HINCRBY', KEYS[1], 'samples', addSamples)
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[5]))
return { 1, '', requests, samples }
`)

/** Kept after the day ends, so a replica whose clock lags a little still finds its totals. */
const GRACE_SECONDS = 3600

/** Options of RedisQuotaCounter. */
export interface RedisQuotaCounterOptions {
  readonly redis: Redis
  /** Default 'maas:quota:'. */
  readonly keyPrefix?: string
  /** Epoch milliseconds; default Date.now. Picks the UTC day. */
  readonly now?: () => number
}

/** Daily quotas shared by all replicas through Redis. */
export class RedisQuotaCounter implements QuotaCounter {
  readonly #redis: Redis
  readonly #keyPrefix: string
  readonly #now: () => number

  constructor(options: RedisQuotaCounterOptions) {
    this.#redis = options.redis
    this.#keyPrefix = options.keyPrefix ?? 'maas:quota:'
    this.#now = options.now ?? Date.now
  }

  async consume(key: string, usage: QuotaUsage, quota: DailyQuota): Promise<QuotaDecision> {
    checkUsage(usage)
    const now = this.#now()
    const day = utcDay(now)
    const untilTomorrow = msUntilNextUtcDay(now)
    const reply = await CONSUME.run(this.#redis, [this.#hashKey(key, day)], [
      usage.requests,
      usage.samples,
      quota.requests ?? -1,
      quota.samples ?? -1,
      Math.ceil(untilTomorrow / 1000) + GRACE_SECONDS,
    ])
    const [allowed, exceeded, requests, samples] = reply as [number, string, number, number]
    const used = { requests, samples }
    return allowed === 1
      ? { allowed: true, used, retryAfterMs: 0, day }
      : { allowed: false, exceeded: exceeded === 'samples' ? 'samples' : 'requests', used, retryAfterMs: untilTomorrow, day }
  }

  async read(key: string): Promise<QuotaUsage> {
    const [requests, samples] = await this.#redis.hmget(this.#hashKey(key, utcDay(this.#now())), 'requests', 'samples')
    return { requests: Number(requests ?? 0), samples: Number(samples ?? 0) }
  }

  #hashKey(key: string, day: string): string {
    return `${this.#keyPrefix}${key}:${day}`
  }
}
