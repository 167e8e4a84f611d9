import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { mulberry32 } from '../../core/mulberry32.ts'
import { seededPermutation } from './seeded-random.ts'

describe('seeded-random', () => {
  test('mulberry32 gives the same stream for the same seed and values in [0, 1)', () => {
    const a = mulberry32(42)
    const b = mulberry32(42)
    const values = Array.from({ length: 1000 }, () => a())
    assert.deepEqual(values, Array.from({ length: 1000 }, () => b()))
    assert.ok(values.every((v) => v >= 0 && v < 1))
    assert.notDeepEqual(values.slice(0, 10), Array.from({ length: 10 }, mulberry32(43)))
  })

  test('mulberry32 is pinned: its first value for seed 1 never changes across versions', () => {
    // Splits and shuffles recorded in experiments depend on this stream staying the same.
    assert.equal(mulberry32(1)(), 0.6270739405881613)
  })

  test('seededPermutation is a permutation, repeatable per seed, different across seeds', () => {
    const p = seededPermutation(100, 7)
    assert.deepEqual([...p].sort((x, y) => x - y), Array.from({ length: 100 }, (_, i) => i))
    assert.deepEqual(seededPermutation(100, 7), p)
    assert.notDeepEqual(seededPermutation(100, 8), p)
    assert.deepEqual([...seededPermutation(0, 1)], [])
  })
})
