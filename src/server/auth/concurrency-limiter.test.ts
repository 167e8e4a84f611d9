import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ConcurrencyLimiter } from './concurrency-limiter.ts'

describe('ConcurrencyLimiter', () => {
  it('admits up to max requests per key, and one more after a release', () => {
    const limiter = new ConcurrencyLimiter()
    const first = limiter.tryAcquire('k', 2)
    const second = limiter.tryAcquire('k', 2)
    assert.ok(first && second)
    assert.equal(limiter.tryAcquire('k', 2), undefined)
    assert.equal(limiter.inflight('k'), 2)
    first()
    assert.ok(limiter.tryAcquire('k', 2))
  })

  it('counts keys separately', () => {
    const limiter = new ConcurrencyLimiter()
    assert.ok(limiter.tryAcquire('a', 1))
    assert.equal(limiter.tryAcquire('a', 1), undefined)
    assert.ok(limiter.tryAcquire('b', 1))
  })

  it('ignores a second release of the same slot', () => {
    const limiter = new ConcurrencyLimiter()
    const release = limiter.tryAcquire('k', 2)!
    const other = limiter.tryAcquire('k', 2)!
    release()
    release()
    assert.equal(limiter.inflight('k'), 1)
    other()
    assert.equal(limiter.inflight('k'), 0)
    assert.equal(limiter.size, 0, 'idle keys are forgotten')
  })

  it('rejects a max that is not a positive integer', () => {
    assert.throws(() => new ConcurrencyLimiter().tryAcquire('k', 0), RangeError)
  })
})
