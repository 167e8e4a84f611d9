/**
 * One contract suite, run against MemoryQuotaCounter and against RedisQuotaCounter on a real
 * redis-server (started if needed, see test/support/redis-server.ts).
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { openTestRedis } from '../../../test/support/redis-server.ts'
import { MemoryQuotaCounter, msUntilNextUtcDay, utcDay, type QuotaCounter } from './quota-counter.ts'
import { RedisQuotaCounter } from './redis-quota-counter.ts'

const LATE = Date.parse('2030-03-31T23:59:58.500Z')

type Factory = (now: () => number) => QuotaCounter

function quotaCounterContract(label: string, setup: () => Promise<{ factory: Factory; cleanup(): Promise<void> }>): void {
  describe(label, () => {
    let factory: Factory
    let cleanup: () => Promise<void>
    let clock = LATE
    const counter = () => factory(() => clock)
    before(async () => ({ factory, cleanup } = await setup()))
    after(() => cleanup())

    it('counts requests and samples until a limit would be passed, and counts nothing it refuses', async () => {
      clock = LATE
      const quotas = counter()
      const quota = { requests: 3, samples: 10 }
      assert.deepEqual(await quotas.consume('a', { requests: 1, samples: 4 }, quota), {
        allowed: true, used: { requests: 1, samples: 4 }, retryAfterMs: 0, day: '2030-03-31',
      })
      assert.equal((await quotas.consume('a', { requests: 1, samples: 6 }, quota)).allowed, true)
      const refused = await quotas.consume('a', { requests: 1, samples: 1 }, quota)
      assert.equal(refused.allowed, false)
      assert.equal(refused.exceeded, 'samples')
      assert.deepEqual(refused.used, { requests: 2, samples: 10 })
      assert.equal(refused.retryAfterMs, 1500, 'until midnight UTC')
      assert.equal((await quotas.consume('a', { requests: 1, samples: 0 }, quota)).allowed, true)
      assert.equal((await quotas.consume('a', { requests: 1, samples: 0 }, quota)).exceeded, 'requests')
      assert.deepEqual(await quotas.read('a'), { requests: 3, samples: 10 })
    })

    it('keeps keys apart and treats an absent limit as unlimited', async () => {
      clock = LATE
      const quotas = counter()
      assert.equal((await quotas.consume('b', { requests: 1, samples: 1000 }, { requests: 1 })).allowed, true)
      assert.equal((await quotas.consume('b', { requests: 1, samples: 0 }, { requests: 1 })).allowed, false)
      assert.equal((await quotas.consume('c', { requests: 1, samples: 0 }, { requests: 1 })).allowed, true)
      assert.equal((await quotas.consume('d', { requests: 1_000_000, samples: 5 }, {})).allowed, true)
    })

    it('starts a fresh quota at midnight UTC', async () => {
      clock = LATE
      const quotas = counter()
      const quota = { requests: 1 }
      assert.equal((await quotas.consume('e', { requests: 1, samples: 1 }, quota)).allowed, true)
      assert.equal((await quotas.consume('e', { requests: 1, samples: 1 }, quota)).allowed, false)
      clock = LATE + 1500
      const next = await quotas.consume('e', { requests: 1, samples: 1 }, quota)
      assert.deepEqual(next, { allowed: true, used: { requests: 1, samples: 1 }, retryAfterMs: 0, day: '2030-04-01' })
      assert.deepEqual(await quotas.read('e'), { requests: 1, samples: 1 })
    })

    it('never lets concurrent callers pass the limit together', async () => {
      clock = LATE - 60_000
      const quotas = counter()
      const decisions = await Promise.all(
        Array.from({ length: 50 }, () => quotas.consume('f', { requests: 1, samples: 2 }, { samples: 41 })),
      )
      assert.equal(decisions.filter((d) => d.allowed).length, 20)
      assert.deepEqual(await quotas.read('f'), { requests: 20, samples: 40 })
    })

    it('rejects negative or fractional usage', async () => {
      await assert.rejects(async () => counter().consume('g', { requests: -1, samples: 0 }, {}), RangeError)
      await assert.rejects(async () => counter().consume('g', { requests: 1, samples: 0.5 }, {}), RangeError)
    })
  })
}

quotaCounterContract('MemoryQuotaCounter', async () => ({
  factory: (now) => new MemoryQuotaCounter({ now }),
  cleanup: async () => {},
}))

quotaCounterContract('RedisQuotaCounter (real redis-server)', async () => {
  const { redis, prefix, cleanup } = await openTestRedis()
  // Each factory call gets its own prefix, so tests sharing key names start from zero.
  let instance = 0
  return { factory: (now) => new RedisQuotaCounter({ redis, keyPrefix: `${prefix}${++instance}:`, now }), cleanup }
})

describe('RedisQuotaCounter storage', () => {
  it('expires a day\'s totals after the day ends (plus an hour of grace)', async () => {
    const { redis, prefix, cleanup } = await openTestRedis()
    try {
      await new RedisQuotaCounter({ redis, keyPrefix: prefix, now: () => LATE }).consume('h', { requests: 1, samples: 1 }, {})
      const keys = await redis.keys(`${prefix}*`)
      assert.deepEqual(keys, [`${prefix}h:2030-03-31`])
      const ttl = await redis.ttl(keys[0]!)
      assert.ok(ttl > 3600 && ttl <= 3602, `ttl ${ttl}`)
    } finally {
      await cleanup()
    }
  })
})

describe('utcDay and msUntilNextUtcDay', () => {
  it('use UTC, whatever the local time zone', () => {
    assert.equal(utcDay(Date.parse('2030-01-01T23:59:59.999Z')), '2030-01-01')
    assert.equal(utcDay(Date.parse('2030-01-02T00:00:00.000Z')), '2030-01-02')
    assert.equal(msUntilNextUtcDay(Date.parse('2030-01-01T23:59:59.000Z')), 1000)
    assert.equal(msUntilNextUtcDay(Date.parse('2030-01-02T00:00:00.000Z')), 86_400_000)
  })
})
