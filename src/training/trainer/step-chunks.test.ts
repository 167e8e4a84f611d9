import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createDataset } from '../datasets/dataset.ts'
import { defaultStepsPerCall, epochChunks, stepsPerEpoch } from './step-chunks.ts'

const dataset = createDataset({
  x: Float32Array.from({ length: 10 * 2 }, (_, index) => index),
  y: Int32Array.from({ length: 10 }, (_, index) => index),
  sampleShape: [2],
  count: 10,
  classes: 10,
})

test('cuts an epoch into M×B chunks plus a remainder batch, covering every sample once', () => {
  // A chunk's buffers are reused by the next one: read each before asking for the next.
  const chunks = []
  for (const chunk of epochChunks(dataset, { batchSize: 3, stepsPerCall: 2, targets: 'sparse' })) {
    chunks.push({ steps: chunk.steps, batchSize: chunk.batchSize, y: Array.from(chunk.y as BigInt64Array, Number), x: Array.from(chunk.x) })
  }
  assert.deepEqual(chunks.map((chunk) => [chunk.steps, chunk.batchSize]), [[2, 3], [1, 3], [1, 1]])
  assert.deepEqual(chunks.flatMap((chunk) => chunk.y), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
  assert.deepEqual(chunks[0]!.x.slice(0, 4), [0, 1, 2, 3], 'rows keep their values')
  assert.equal(stepsPerEpoch(10, 3), 4)
})

test('shuffles deterministically per seed, keeping x and y rows together', () => {
  const order = (seed: number) => [...epochChunks(dataset, { batchSize: 4, stepsPerCall: 8, targets: 'sparse', shuffleSeed: seed })].flatMap((chunk) => {
    const labels = Array.from(chunk.y as BigInt64Array, Number)
    labels.forEach((label, index) => assert.equal(chunk.x[index * 2], label * 2, 'x row matches its label'))
    return labels
  })
  assert.deepEqual(order(1), order(1))
  assert.notDeepEqual(order(1), order(2))
  assert.deepEqual([...order(3)].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
})

test('dense float targets keep their width', () => {
  const regression = createDataset({ x: new Float32Array(6), y: Float32Array.of(0.5, 1.5, 2.5), sampleShape: [2], count: 3 })
  const [chunk] = [...epochChunks(regression, { batchSize: 3, stepsPerCall: 4, targets: 'dense' })]
  assert.ok(chunk!.y instanceof Float32Array)
  assert.deepEqual(Array.from(chunk!.y), [0.5, 1.5, 2.5])
})

test('the default steps per call: 128, fewer when a call would feed more than 32 MiB of inputs', () => {
  assert.equal(defaultStepsPerCall(32, [28, 28]), 128)
  assert.equal(defaultStepsPerCall(128, [28, 28]), 83)
  assert.equal(defaultStepsPerCall(128, [32, 32, 3]), 21)
  assert.equal(defaultStepsPerCall(64, [224, 224, 3]), 1)
})
