/** RedisRateLimiter against a real redis-server; two limiter instances with their own connections play two replicas. */
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { after, before, describe, it } from 'node:test'
import type { Redis } from 'ioredis'
import { openTestRedis, TEST_REDIS_URL } from '../../../test/support/redis-server.ts'
import { connectRedis } from './redis-connection.ts'
import { RedisRateLimiter } from './redis-rate-limiter.ts'

describe('RedisRateLimiter (real redis-server)', () => {
  let redis: Redis
  let second: Redis
  let prefix: string
  let cleanup: () => Promise<void>
  let replicaA: RedisRateLimiter
  let replicaB: RedisRateLimiter

  before(async () => {
    ;({ redis, prefix, cleanup } = await openTestRedis())
    second = connectRedis(TEST_REDIS_URL)
    replicaA = new RedisRateLimiter({ redis, keyPrefix: prefix })
    replicaB = new RedisRateLimiter({ redis: second, keyPrefix: prefix })
  })
  after(async () => {
    await second.quit()
    await cleanup()
  })

  it('allows a burst of capacity, then refuses with the time until a token is back', async () => {
    const rule = { capacity: 3, refillPerSecond: 0.5 }
    const decisions = []
    for (let i = 0; i < 4; i++) decisions.push(await replicaA.take('burst', 1, rule))
    assert.deepEqual(decisions.map((d) => [d.allowed, d.remaining]), [[true, 2], [true, 1], [true, 0], [false, 0]])
    assert.ok(decisions[3]!.retryAfterMs > 1900 && decisions[3]!.retryAfterMs <= 2000, `retryAfter ${decisions[3]!.retryAfterMs}`)
  })

  it('refills over time: after retryAfterMs the request passes', async () => {
    const rule = { capacity: 2, refillPerSecond: 40 }
    await replicaA.take('refill', 2, rule)
    const refused = await replicaA.take('refill', 1, rule)
    assert.equal(refused.allowed, false)
    await sleep(refused.retryAfterMs + 5)
    assert.equal((await replicaA.take('refill', 1, rule)).allowed, true)
  })

  it('shares one bucket between replicas: 40 concurrent takes on two replicas pass exactly capacity', async () => {
    const rule = { capacity: 10, refillPerSecond: 0.001 }
    const decisions = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? replicaA : replicaB).take('shared', 1, rule)),
    )
    assert.equal(decisions.filter((d) => d.allowed).length, 10)
  })

  it('holds the combined rate of two replicas hammering one key to the limit', async () => {
    const rule = { capacity: 5, refillPerSecond: 100 }
    const started = performance.now()
    let attempts = 0
    const counts = await Promise.all([replicaA, replicaB].map(async (limiter) => {
      let allowed = 0
      while (performance.now() - started < 400) {
        attempts++
        if ((await limiter.take('hammer', 1, rule)).allowed) allowed++
      }
      return allowed
    }))
    const seconds = (performance.now() - started) / 1000
    const total = counts[0]! + counts[1]!
    const ceiling = rule.capacity + rule.refillPerSecond * seconds
    const report = `${total} of ${attempts} allowed in ${seconds.toFixed(3)} s (${counts.join(' + ')}), limit ${ceiling.toFixed(1)}`
    // The property: together they never pass the limit. The rest shows the test exercised it:
    // refused attempts, refills used, and both replicas drawing from the one bucket.
    assert.ok(total <= ceiling + 1, report)
    assert.ok(attempts > total && total > rule.capacity, report)
    assert.ok(counts[0]! > 0 && counts[1]! > 0, report)
  })

  it('stores a bucket with a TTL of its refill time, after which it is as good as full', async () => {
    const rule = { capacity: 4, refillPerSecond: 2 }
    await replicaA.take('ttl', 3, rule)
    const ttl = await redis.pttl(`${prefix}ttl`)
    assert.ok(ttl > 1000 && ttl <= 2500, `pttl ${ttl}`)
  })

  it('keeps keys apart, and says a cost above capacity can never pass', async () => {
    const rule = { capacity: 1, refillPerSecond: 0.001 }
    assert.equal((await replicaA.take('x', 1, rule)).allowed, true)
    assert.equal((await replicaA.take('x', 1, rule)).allowed, false)
    assert.equal((await replicaB.take('y', 1, rule)).allowed, true)
    assert.equal((await replicaB.take('z', 2, rule)).retryAfterMs, Number.POSITIVE_INFINITY)
  })

  it('finds its script again after the server forgets it (SCRIPT FLUSH)', async () => {
    await redis.script('FLUSH')
    assert.equal((await replicaA.take('flushed', 1, { capacity: 1, refillPerSecond: 1 })).allowed, true)
  })
})
