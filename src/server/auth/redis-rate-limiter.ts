/**
 * @module server/auth/redis-rate-limiter
 * Token buckets in Redis, so that every replica draws from the same bucket. One Lua script
 * reads, refills, spends and writes a bucket atomically, using the Redis server's clock
 * (TIME) so replicas with skewed clocks still agree. Each bucket is a hash with a TTL of the
 * time it takes to refill completely: an expired bucket is a full one, so nothing is lost.
 */
import type { Redis } from 'ioredis'
import { checkTake, type RateLimitDecision, type RateLimiter, type TokenBucketRule } from './rate-limiter.ts'
import { RedisScript } from './redis-script.ts'

// KEYS[1] bucket; ARGV capacity, refillPerSecond, cost → { allowed, retryAfterMs, remaining }.
// Tokens are stored as strings so fractions survive (Lua numbers in replies are truncated).
const TAKE = new RedisScript(`
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then
  tokens = capacity
  at = now
end
if now > at then
  tokens = math.min(capacity, tokens + (now - at) * rate / 1000)
  at = now
end
local allowed = 0
local retry = 0
if tokens >= cost then
  tokens = tokens - cost
  allowed = 1
else
  retry = math.ceil((cost - tokens) * 1000 / rate)
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens), 'at', string.format('%.17g', at))
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) * 1000 / rate) + 1000)
return { allowed, retry, math.floor(tokens) }
`)

/** Options of RedisRateLimiter. */
export interface RedisRateLimiterOptions {
  readonly redis: Redis
  /** Prepended to every bucket key, to share one Redis between deployments. Default 'maas:rate:'. */
  readonly keyPrefix?: string
}

/** Token buckets shared by all replicas through Redis. */
export class RedisRateLimiter implements RateLimiter {
  readonly #redis: Redis
  readonly #keyPrefix: string

  constructor(options: RedisRateLimiterOptions) {
    this.#redis = options.redis
    this.#keyPrefix = options.keyPrefix ?? 'maas:rate:'
  }

  async take(bucketKey: string, cost: number, rule: TokenBucketRule): Promise<RateLimitDecision> {
    checkTake(cost, rule)
    const reply = await TAKE.run(this.#redis, [this.#keyPrefix + bucketKey], [rule.capacity, rule.refillPerSecond, cost])
    const [allowed, retryAfterMs, remaining] = reply as [number, number, number]
    if (allowed === 1) return { allowed: true, retryAfterMs: 0, remaining }
    return {
      allowed: false,
      retryAfterMs: cost > rule.capacity ? Number.POSITIVE_INFINITY : retryAfterMs,
      remaining,
    }
  }
}
