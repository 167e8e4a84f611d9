import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Histogram, Registry } from 'prom-client'
import { LabelledHistogram } from './labelled-histogram.ts'

const BUCKETS = [0.00005, 0.001, 0.5, 10]

function pair() {
  const expected = new Registry()
  const actual = new Registry()
  const config = { name: 'maas_test_seconds', help: 'A test histogram.', labelNames: ['model', 'version'] as const, buckets: BUCKETS }
  const reference = new Histogram({ ...config, registers: [expected] })
  const histogram = new LabelledHistogram({ ...config, registers: [actual] })
  return { expected, actual, reference, histogram }
}

describe('LabelledHistogram', () => {
  it('exposes exactly what a prom-client Histogram does, label sets in first-observation order', async () => {
    const { expected, actual, reference, histogram } = pair()
    // Bound before use, first observed later: the order is that of observation, not binding.
    const b = histogram.labels('b', '2')
    const a = histogram.labels('a "quoted"\\', '1')
    const observations: [string, string, number][] = [
      ['a "quoted"\\', '1', 0.00002], ['b', '2', 0.7], ['a "quoted"\\', '1', 0.00005], ['b', '2', 25], ['a "quoted"\\', '1', 0.1 + 0.2],
    ]
    for (const [model, version, value] of observations) {
      reference.labels(model, version).observe(value)
      ;(model === 'b' ? b : a).observe(value)
    }
    reference.observe({ model: 'c', version: '1' }, 1)
    histogram.observe({ model: 'c', version: '1' }, 1)
    assert.equal(await actual.metrics(), await expected.metrics())
    assert.deepEqual(await actual.getMetricsAsJSON(), await expected.getMetricsAsJSON())
  })

  it('exposes no sample before the first observation, and none after a reset', async () => {
    const { expected, actual, reference, histogram } = pair()
    const child = histogram.labels('m', '1')
    assert.equal(await actual.metrics(), await expected.metrics())
    child.observe(1)
    reference.labels('m', '1').observe(1)
    actual.resetMetrics()
    expected.resetMetrics()
    assert.equal(await actual.metrics(), await expected.metrics())
    child.observe(2)
    reference.labels('m', '1').observe(2)
    assert.equal(await actual.metrics(), await expected.metrics())
  })

  it('refuses values that are not finite numbers and label values of the wrong count', () => {
    const { histogram } = pair()
    assert.throws(() => histogram.labels('m', '1').observe(Number.NaN), TypeError)
    assert.throws(() => histogram.labels('m'), /Invalid number of arguments/)
  })

  it('treats a partial label set as prom-client does (the missing label left out) and refuses an undeclared label', async () => {
    const { expected, actual, reference, histogram } = pair()
    for (const labels of [{ model: 'm' }, { model: 'm', version: '1' }, { model: 'm' }, { version: '' }]) {
      reference.observe(labels, 0.2)
      histogram.observe(labels, 0.2)
    }
    assert.equal(await actual.metrics(), await expected.metrics())
    assert.deepEqual(await actual.getMetricsAsJSON(), await expected.getMetricsAsJSON())
    assert.throws(() => reference.observe({ model: 'm', region: 'eu' } as never, 1), /Added label "region" is not included in initial labelset/)
    assert.throws(() => histogram.observe({ model: 'm', region: 'eu' } as never, 1), /Added label "region" is not included in initial labelset/)
  })
})
