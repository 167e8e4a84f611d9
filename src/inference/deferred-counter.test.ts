import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Counter, Registry } from 'prom-client'
import { DeferredCounter } from './deferred-counter.ts'

function pair() {
  const expected = new Registry()
  const actual = new Registry()
  const config = { name: 'maas_test_total', help: 'A test counter.', labelNames: ['model', 'outcome'] as const }
  const reference = new Counter({ ...config, registers: [expected] })
  const counter = new DeferredCounter({ ...config, registers: [actual] })
  return { expected, actual, reference, counter }
}

describe('DeferredCounter', () => {
  it('exposes exactly what direct inc() calls give, label sets in first-increment order', async () => {
    const { expected, actual, reference, counter } = pair()
    // Bound first, incremented after another label set: the order is that of the increments.
    const success = counter.labels('m', 'success')
    assert.equal(await actual.metrics(), await expected.metrics())
    for (const outcome of ['INVALID_ARGUMENT', 'success', 'success', 'INVALID_ARGUMENT', 'success']) {
      reference.labels('m', outcome).inc()
      ;(outcome === 'success' ? success : counter.labels('m', outcome)).inc()
    }
    assert.equal(await actual.metrics(), await expected.metrics())
    // Counts added after a scrape go on from where it left them; new label sets come last.
    for (const outcome of ['NOT_FOUND', 'success', 'INVALID_ARGUMENT']) {
      reference.labels('m', outcome).inc()
      counter.labels('m', outcome).inc()
    }
    assert.equal(await actual.metrics(), await expected.metrics())
    assert.deepEqual(await actual.getMetricsAsJSON(), await expected.getMetricsAsJSON())
  })

  it('refuses label values of the wrong count', () => {
    assert.throws(() => pair().counter.labels('m'), /Invalid number of arguments/)
  })
})
