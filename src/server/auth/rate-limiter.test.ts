import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MemoryRateLimiter } from './rate-limiter.ts'

const RULE = { capacity: 3, refillPerSecond: 2 }

function limiterAt(start = 1000): { limiter: MemoryRateLimiter; advance(ms: number): void } {
  let now = start
  return { limiter: new MemoryRateLimiter({ now: () => now }), advance: (ms) => (now += ms) }
}

describe('MemoryRateLimiter', () => {
  it('allows a burst of `capacity` requests, then refuses with the time until one token is back', async () => {
    const { limiter } = limiterAt()
    const decisions = []
    for (let i = 0; i < 4; i++) decisions.push(await limiter.take('k', 1, RULE))
    assert.deepEqual(decisions.map((d) => [d.allowed, d.remaining]), [[true, 2], [true, 1], [true, 0], [false, 0]])
    assert.equal(decisions[3]!.retryAfterMs, 500)
  })

  it('refills at refillPerSecond, and the retryAfter it gave is exactly enough', async () => {
    const { limiter, advance } = limiterAt()
    for (let i = 0; i < 3; i++) await limiter.take('k', 1, RULE)
    const refused = await limiter.take('k', 1, RULE)
    advance(refused.retryAfterMs - 1)
    assert.equal((await limiter.take('k', 1, RULE)).allowed, false)
    advance(1)
    assert.equal((await limiter.take('k', 1, RULE)).allowed, true)
    assert.equal((await limiter.take('k', 1, RULE)).allowed, false)
  })

  it('never holds more than capacity, however long it idles', async () => {
    const { limiter, advance } = limiterAt()
    await limiter.take('k', 1, RULE)
    advance(3_600_000)
    assert.equal((await limiter.take('k', 0, RULE)).remaining, 3)
  })

  it('sustains refillPerSecond over time', async () => {
    const { limiter, advance } = limiterAt()
    let allowed = 0
    for (let ms = 0; ms < 10_000; ms += 10) {
      if ((await limiter.take('k', 1, RULE)).allowed) allowed++
      advance(10)
    }
    // 3 of burst + 2/s for 10 s.
    assert.ok(allowed >= 22 && allowed <= 23, `allowed ${allowed}`)
  })

  it('keeps buckets apart by key', async () => {
    const { limiter } = limiterAt()
    for (let i = 0; i < 3; i++) await limiter.take('a', 1, RULE)
    assert.equal((await limiter.take('a', 1, RULE)).allowed, false)
    assert.equal((await limiter.take('b', 1, RULE)).allowed, true)
  })

  it('takes costs above 1, and says a cost above capacity can never pass', async () => {
    const { limiter } = limiterAt()
    assert.deepEqual(await limiter.take('k', 2, RULE), { allowed: true, retryAfterMs: 0, remaining: 1 })
    assert.deepEqual(await limiter.take('k', 2, RULE), { allowed: false, retryAfterMs: 500, remaining: 1 })
    assert.equal((await limiter.take('k', 4, RULE)).retryAfterMs, Number.POSITIVE_INFINITY)
  })

  it('does not go backwards when the clock does', async () => {
    const { limiter, advance } = limiterAt()
    for (let i = 0; i < 3; i++) await limiter.take('k', 1, RULE)
    advance(-10_000)
    assert.equal((await limiter.take('k', 1, RULE)).allowed, false)
    advance(10_500)
    assert.equal((await limiter.take('k', 1, RULE)).allowed, true)
  })

  it('rejects nonsensical rules and costs', async () => {
    const { limiter } = limiterAt()
    await assert.rejects(async () => limiter.take('k', -1, RULE), RangeError)
    await assert.rejects(async () => limiter.take('k', 1, { capacity: 0, refillPerSecond: 1 }), RangeError)
    await assert.rejects(async () => limiter.take('k', 1, { capacity: 1, refillPerSecond: Number.NaN }), RangeError)
  })

  it('drops buckets that have refilled once it holds maxBuckets', async () => {
    let now = 0
    const limiter = new MemoryRateLimiter({ now: () => now, maxBuckets: 3 })
    for (const key of ['a', 'b', 'c']) await limiter.take(key, 1, RULE)
    assert.equal(limiter.size, 3)
    now = 400 // a, b, c each miss 1 token → full again after 500 ms
    await limiter.take('d', 1, RULE)
    assert.equal(limiter.size, 4)
    now = 800
    await limiter.take('e', 1, RULE)
    assert.equal(limiter.size, 2) // a–c were full again and dropped; d (full at 900) stays; e is new
  })
})
