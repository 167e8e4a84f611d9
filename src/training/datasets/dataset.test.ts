import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { InvalidArgumentError } from '../../core/errors.ts'
import { createDataset, sampleSizeOf, withRows } from './dataset.ts'

describe('createDataset', () => {
  test('returns a frozen dataset when x, y, count and sampleShape agree', () => {
    const dataset = createDataset({ x: new Float32Array(12), y: new Int32Array(2), sampleShape: [2, 3], count: 2, classes: 2, labels: ['a', 'b'] })
    assert.ok(Object.isFrozen(dataset))
    assert.ok(Object.isFrozen(dataset.sampleShape))
    assert.deepEqual(dataset.labels, ['a', 'b'])
  })

  test('rejects x of the wrong length, y of the wrong length and labels not matching classes', () => {
    assert.throws(() => createDataset({ x: new Float32Array(11), y: new Int32Array(2), sampleShape: [2, 3], count: 2 }), InvalidArgumentError)
    assert.throws(() => createDataset({ x: new Float32Array(12), y: new Int32Array(3), sampleShape: [2, 3], count: 2 }), /y holds 3 labels for 2 samples/)
    assert.throws(() => createDataset({ x: new Float32Array(6), y: new Int32Array(2), sampleShape: [3], count: 2, classes: 3, labels: ['a'] }), /3 classes but 1 label names/)
  })

  test('withRows keeps sampleShape, classes and labels', () => {
    const dataset = createDataset({ x: new Float32Array(4), y: new Int32Array(2), sampleShape: [2], count: 2, classes: 2, labels: ['n', 'y'] })
    const one = withRows(dataset, new Float32Array(2), new Int32Array(1), 1)
    assert.deepEqual([one.count, one.sampleShape, one.classes, one.labels], [1, [2], 2, ['n', 'y']])
  })

  test('sampleSizeOf multiplies the dimensions; a scalar sample has size 1', () => {
    assert.equal(sampleSizeOf([28, 28]), 784)
    assert.equal(sampleSizeOf([]), 1)
  })
})
