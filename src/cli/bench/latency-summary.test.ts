import assert from 'node:assert/strict'
import { test } from 'node:test'
import { percentile, summariseLatencies } from './latency-summary.ts'

test('nearest-rank percentiles of 1..100 are the ranks themselves', () => {
  const sorted = Float64Array.from({ length: 100 }, (_, index) => index + 1)
  assert.equal(percentile(sorted, 0.5), 50)
  assert.equal(percentile(sorted, 0.9), 90)
  assert.equal(percentile(sorted, 0.95), 95)
  assert.equal(percentile(sorted, 0.99), 99)
  assert.equal(percentile(sorted, 1), 100)
  assert.equal(percentile(sorted, 0), 1)
})

test('nearest rank rounds the rank up: p50 of four values is the second, p99 of ten the tenth', () => {
  assert.equal(percentile([1, 2, 3, 4], 0.5), 2)
  assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.99), 10)
  assert.equal(percentile([7], 0.99), 7)
})

test('an empty sample gives NaN everywhere', () => {
  const summary = summariseLatencies([])
  for (const value of Object.values(summary)) assert.ok(Number.isNaN(value))
})

test('summariseLatencies sorts a copy and reports the mean', () => {
  const latencies = [5, 1, 4, 2, 3]
  const summary = summariseLatencies(latencies)
  assert.deepEqual(latencies, [5, 1, 4, 2, 3])
  assert.deepEqual(summary, { avg: 3, p50: 3, p90: 5, p95: 5, p99: 5 })
})
