import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MaasError } from '../../core/errors.ts'
import { LimitExceededError, retryAfterSeconds, type LimitKind } from './auth-errors.ts'
import { ConcurrencyLimiter } from './concurrency-limiter.ts'
import type { Resource } from './permissions.ts'
import { createPrincipal, type KeyLimits } from './principal.ts'
import { MemoryQuotaCounter } from './quota-counter.ts'
import { MemoryRateLimiter, type RateLimiter } from './rate-limiter.ts'
import { createRequestGuard, type GuardLimits } from './request-guard.ts'

const MODEL: Resource = { model: 'vision', visibility: 'public' }

function setup(limits: GuardLimits, rateLimiter?: RateLimiter) {
  let now = Date.parse('2030-01-01T00:00:00Z')
  const rates = new MemoryRateLimiter({ now: () => now })
  const quotas = new MemoryQuotaCounter({ now: () => now })
  const concurrency = new ConcurrencyLimiter()
  const guard = createRequestGuard({ rateLimiter: rateLimiter ?? rates, quotas, concurrency, limits })
  return { guard, rates, quotas, concurrency, advance: (ms: number) => (now += ms) }
}

function consumer(name = 'ci-bot', limits?: KeyLimits) {
  return createPrincipal({ keyId: `id-${name}`, name, role: 'consumer', ...(limits && { limits }) })
}

async function assertLimited(promise: Promise<unknown>, limit: LimitKind, retryAfterMs: number, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof LimitExceededError, String(error))
    assert.equal(error.code, 'RESOURCE_EXHAUSTED')
    assert.equal(error.limit, limit)
    assert.equal(error.retryAfterMs, retryAfterMs)
    if (message) assert.match(error.message, message)
    return true
  })
}

describe('createRequestGuard', () => {
  it('authorizes first: a refused request takes no token, no quota and no slot', async () => {
    const { guard, rates, quotas, concurrency } = setup({ keyRate: { capacity: 1, refillPerSecond: 1 }, dailyRequests: 1, maxConcurrentPerKey: 1 })
    const principal = consumer()
    await assert.rejects(guard({ principal, action: 'repository.load' }), { code: 'PERMISSION_DENIED', message: "key 'ci-bot' (consumer) may not load models" })
    await assert.rejects(guard({ principal: undefined, action: 'model.infer', resource: MODEL }), { code: 'UNAUTHENTICATED' })
    assert.equal(rates.size, 0)
    assert.deepEqual(await quotas.read(principal.keyId), { requests: 0, samples: 0 })
    assert.equal(concurrency.size, 0)
  })

  it('lets health through without a key and without counting', async () => {
    const { guard, rates } = setup({ keyRate: { capacity: 1, refillPerSecond: 1 } })
    for (let i = 0; i < 5; i++) (await guard({ principal: undefined, action: 'health' }))()
    for (let i = 0; i < 5; i++) (await guard({ principal: consumer(), action: 'health' }))()
    assert.equal(rates.size, 0)
  })

  it('refuses past the per-key rate with RESOURCE_EXHAUSTED and the wait, per key', async () => {
    const { guard, advance } = setup({ keyRate: { capacity: 2, refillPerSecond: 4 } })
    const a = consumer('a')
    for (let i = 0; i < 2; i++) (await guard({ principal: a, action: 'model.infer', resource: MODEL }))()
    await assertLimited(guard({ principal: a, action: 'model.read', resource: MODEL }), 'key-rate', 250, /key 'a' exceeded its rate limit of 4 requests\/s \(burst 2\)/)
    ;(await guard({ principal: consumer('b'), action: 'model.infer', resource: MODEL }))()
    advance(250)
    ;(await guard({ principal: a, action: 'model.infer', resource: MODEL }))()
  })

  it('applies a key\'s own limits over the server defaults', async () => {
    const { guard } = setup({ keyRate: { capacity: 1, refillPerSecond: 1 } })
    const generous = consumer('generous', { rate: { capacity: 3, refillPerSecond: 1 } })
    for (let i = 0; i < 3; i++) (await guard({ principal: generous, action: 'model.infer', resource: MODEL }))()
    await assertLimited(guard({ principal: generous, action: 'model.infer', resource: MODEL }), 'key-rate', 1000)
  })

  it('shares the per-model rate between keys, for inference only, with per-model overrides', async () => {
    const { guard } = setup({ modelRate: { capacity: 2, refillPerSecond: 1 }, modelRates: { small: { capacity: 1, refillPerSecond: 0.5 } } })
    ;(await guard({ principal: consumer('a'), action: 'model.infer', resource: MODEL }))()
    ;(await guard({ principal: consumer('b'), action: 'model.infer', resource: MODEL }))()
    await assertLimited(guard({ principal: consumer('c'), action: 'model.infer', resource: MODEL }), 'model-rate', 1000, /model 'vision' exceeded/)
    ;(await guard({ principal: consumer('c'), action: 'model.read', resource: MODEL }))()
    const small = { model: 'small', visibility: 'public' } as const
    ;(await guard({ principal: consumer('a'), action: 'model.infer', resource: small }))()
    await assertLimited(guard({ principal: consumer('b'), action: 'model.infer', resource: small }), 'model-rate', 2000)
  })

  it('counts the daily quota of requests and samples for inference, until midnight UTC', async () => {
    const { guard, quotas, advance } = setup({ dailyRequests: 10, dailySamples: 8 })
    const principal = consumer()
    ;(await guard({ principal, action: 'model.infer', resource: MODEL, samples: 5 }))()
    ;(await guard({ principal, action: 'model.read', resource: MODEL }))()
    await assertLimited(
      guard({ principal, action: 'model.infer', resource: MODEL, samples: 4 }),
      'daily-samples', 86_400_000, /key 'ci-bot' reached its daily quota of 8 samples \(5 used on 2030-01-01 UTC\)/,
    )
    ;(await guard({ principal, action: 'model.infer', resource: MODEL, samples: 3 }))()
    assert.deepEqual(await quotas.read(principal.keyId), { requests: 2, samples: 8 })
    advance(86_400_000)
    ;(await guard({ principal, action: 'model.infer', resource: MODEL, samples: 8 }))()
  })

  it('holds at most maxConcurrentPerKey requests in flight, until they release', async () => {
    const { guard, concurrency } = setup({ maxConcurrentPerKey: 2 })
    const principal = consumer()
    const first = await guard({ principal, action: 'model.infer', resource: MODEL })
    const second = await guard({ principal, action: 'model.read', resource: MODEL })
    await assertLimited(guard({ principal, action: 'model.infer', resource: MODEL }), 'concurrency', 1000, /already has 2 requests in flight/)
    ;(await guard({ principal: consumer('other'), action: 'model.infer', resource: MODEL }))()
    first()
    first()
    const third = await guard({ principal, action: 'model.infer', resource: MODEL })
    second()
    third()
    assert.equal(concurrency.inflight(principal.keyId), 0)
  })

  it('gives the slot back when a later limit refuses', async () => {
    const { guard, concurrency } = setup({ maxConcurrentPerKey: 1, dailyRequests: 1 })
    const principal = consumer()
    ;(await guard({ principal, action: 'model.infer', resource: MODEL }))()
    await assertLimited(guard({ principal, action: 'model.infer', resource: MODEL }), 'daily-requests', 86_400_000)
    assert.equal(concurrency.inflight(principal.keyId), 0)
  })

  it('fails closed with UNAVAILABLE when the limiter store is down, and releases the slot', async () => {
    const broken: RateLimiter = { take: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379')) }
    const { guard, concurrency } = setup({ keyRate: { capacity: 1, refillPerSecond: 1 }, maxConcurrentPerKey: 1 }, broken)
    await assert.rejects(guard({ principal: consumer(), action: 'model.infer', resource: MODEL }), (error: unknown) => {
      assert.ok(error instanceof MaasError)
      assert.equal(error.code, 'UNAVAILABLE')
      assert.ok(!error.message.includes('ECONNREFUSED'), 'the cause stays out of the message')
      return true
    })
    assert.equal(concurrency.size, 0)
  })

  it('rejects limits that could never admit a request', () => {
    const stores = { rateLimiter: new MemoryRateLimiter(), quotas: new MemoryQuotaCounter(), concurrency: new ConcurrencyLimiter() }
    assert.throws(() => createRequestGuard({ ...stores, limits: { keyRate: { capacity: 0.5, refillPerSecond: 1 } } }), RangeError)
    assert.throws(() => createRequestGuard({ ...stores, limits: { modelRates: { m: { capacity: 1, refillPerSecond: 0 } } } }), RangeError)
  })
})

describe('LimitExceededError', () => {
  it('rounds Retry-After seconds up, to at least 1', () => {
    assert.equal(retryAfterSeconds(1), 1)
    assert.equal(retryAfterSeconds(1000), 1)
    assert.equal(retryAfterSeconds(1001), 2)
    assert.equal(new LimitExceededError('key-rate', 'slow down', 2500.2).retryAfterSeconds, 3)
    assert.equal(new LimitExceededError('key-rate', 'never', Number.POSITIVE_INFINITY).retryAfterMs, 86_400_000)
  })
})
