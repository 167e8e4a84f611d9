import assert from 'node:assert/strict'
import { test } from 'node:test'
import { DEFAULT_STABILITY, isStable } from './stability-rule.ts'

const windows = (...pairs: [number, number][]) => pairs.map(([throughput, p99]) => ({ throughput, p99 }))

test('is not stable with fewer than three windows', () => {
  assert.equal(isStable(windows([100, 1], [100, 1])), false)
})

test('is stable when the last three throughputs are within ±10 % of their mean and p99 within ±25 %', () => {
  assert.equal(isStable(windows([50, 9], [100, 1], [109, 1.2], [95, 0.9])), true)
})

test('only the trailing three windows count', () => {
  assert.equal(isStable(windows([100, 1], [100, 1], [100, 1], [150, 1])), false)
  assert.equal(isStable(windows([1, 100], [100, 1], [100, 1], [100, 1])), true)
})

test('a throughput 10.5 % off the mean is unstable; exactly at the bound is stable', () => {
  // mean 100: 110 and 90 are exactly ±10 %.
  assert.equal(isStable(windows([90, 1], [100, 1], [110, 1])), true)
  assert.equal(isStable(windows([89, 1], [100, 1], [111, 1])), false)
})

test('p99 outside its looser bound makes the windows unstable', () => {
  assert.equal(isStable(windows([100, 1], [100, 1], [100, 1.6])), false)
  assert.equal(isStable(windows([100, 1], [100, 1], [100, 1.3])), true)
})

test('windows with no requests (zero throughput, NaN p99) are never stable', () => {
  assert.equal(isStable(windows([0, Number.NaN], [0, Number.NaN], [0, Number.NaN])), false)
  assert.equal(isStable(windows([100, 1], [100, Number.NaN], [100, 1])), false)
})

test('tolerances and window count come from the criteria', () => {
  const loose = { ...DEFAULT_STABILITY, throughputTolerance: 0.5 }
  assert.equal(isStable(windows([60, 1], [100, 1], [140, 1]), loose), true)
  assert.equal(isStable(windows([100, 1], [100, 1]), { ...DEFAULT_STABILITY, windows: 2 }), true)
})
