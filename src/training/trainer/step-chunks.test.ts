import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createDataset } from '../datasets/dataset.ts'
import { defaultStepsPerCall, epochChunks, evaluationBatches, stepsPerEpoch } from './step-chunks.ts'

const dataset = createDataset({
  x: Float32Array.from({ length: 10 * 2 }, (_, index) => index),
  y: Int32Array.from({ length: 10 }, (_, index) => index),
  sampleShape: [2],
  count: 10,
  classes: 10,
})

test('cuts an epoch into M×B chunks of row numbers plus a remainder batch, covering every sample once', () => {
  const chunks = [...epochChunks(10, { batchSize: 3, stepsPerCall: 2 })]
  assert.deepEqual(chunks.map((chunk) => [chunk.steps, chunk.batchSize, chunk.rows.length]), [[2, 3, 6], [1, 3, 3], [1, 1, 1]])
  assert.deepEqual(chunks.flatMap((chunk) => Array.from(chunk.rows)), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
  assert.equal(stepsPerEpoch(10, 3), 4)
})

test('shuffles deterministically per seed, every row once', () => {
  const order = (seed: number) => [...epochChunks(10, { batchSize: 4, stepsPerCall: 8, shuffleSeed: seed })].flatMap((chunk) => Array.from(chunk.rows))
  assert.deepEqual(order(1), order(1))
  assert.notDeepEqual(order(1), order(2))
  assert.deepEqual([...order(3)].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
})

test('evaluation batches are views of the dataset in order, with int64 class indices or float targets', () => {
  const batches = [...evaluationBatches(dataset, 4, 'sparse')]
  assert.deepEqual(batches.map((batch) => batch.rows), [4, 4, 2])
  assert.deepEqual(Array.from(batches[2]!.y as BigInt64Array, Number), [8, 9])
  assert.deepEqual(Array.from(batches[1]!.x), [8, 9, 10, 11, 12, 13, 14, 15])
  assert.equal(batches[0]!.x.buffer, dataset.x.buffer, 'x is a view, not a copy')
  const regression = createDataset({ x: new Float32Array(6), y: Float32Array.of(0.5, 1.5, 2.5), sampleShape: [2], count: 3 })
  const [batch] = [...evaluationBatches(regression, 8, 'dense')]
  assert.ok(batch!.y instanceof Float32Array)
  assert.deepEqual(Array.from(batch!.y), [0.5, 1.5, 2.5])
})

test('the default steps per call: 128, fewer when a call\'s batches would hold more than 32 MiB of samples', () => {
  assert.equal(defaultStepsPerCall(32, [28, 28]), 128)
  assert.equal(defaultStepsPerCall(128, [28, 28]), 83)
  assert.equal(defaultStepsPerCall(128, [32, 32, 3]), 21)
  assert.equal(defaultStepsPerCall(64, [224, 224, 3]), 1)
})
