import assert from 'node:assert/strict'
import { before, test } from 'node:test'
import { dense, flatten, sequential, seedMlp } from '../../nn/index.ts'
import { createDataset, type Dataset } from '../datasets/dataset.ts'
import { loadNamedDataset } from '../datasets/named-datasets.ts'
import { normalize } from '../datasets/transforms.ts'
import { parseCompileOptions } from './compiled-model.ts'
import { Trainer, type Checkpoint } from './trainer.ts'

let train: Dataset
let test_: Dataset
before(async () => {
  const split = await loadNamedDataset('mnist-small', {})
  train = normalize(split.train, { scale: 1 / 255 })
  test_ = normalize(split.test, { scale: 1 / 255 })
})

const SEED_COMPILE = { optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] }

test('the seed recipe learns the MNIST digits: 2 epochs reach over 90% on held-out digits', async () => {
  const trainer = new Trainer(seedMlp(), parseCompileOptions(SEED_COMPILE))
  const epochs: number[] = []
  const history = await trainer.fit(train, { epochs: 2, batchSize: 32, callbacks: { onEpochEnd: (logs) => void epochs.push(logs.epoch) } })
  assert.deepEqual(epochs, [1, 2])
  assert.ok(history.epochs[1]!.loss < history.epochs[0]!.loss)
  assert.ok(history.epochs[1]!.samplesPerSecond > 0)
  const result = await trainer.evaluate(test_)
  assert.ok(result.metrics.accuracy! > 0.9, `test accuracy ${result.metrics.accuracy}`)
  const probabilities = await trainer.predict(test_.x.subarray(0, 784 * 3))
  assert.equal(probabilities.length, 30)
  for (let row = 0; row < 3; row++) assert.ok(Math.abs(probabilities.subarray(row * 10, row * 10 + 10).reduce((a, b) => a + b, 0) - 1) < 1e-4)
})

test('resuming from an epoch checkpoint gives the same weights as training straight through', async () => {
  const small = { ...train, x: train.x.subarray(0, 784 * 512), y: train.y.subarray(0, 512), count: 512 }
  const compile = parseCompileOptions({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' })
  // No dropout: its random stream restarts with a new session, so only a dropout-free model resumes bit for bit.
  const make = () => sequential([flatten({ inputShape: [28, 28] }), dense({ units: 16, activation: 'relu' }), dense({ units: 10, activation: 'softmax' })], { seed: 5 })
  const a = make()
  await new Trainer(a, compile).fit({ ...small, sampleShape: [28, 28] }, { epochs: 2, batchSize: 64, shuffle: false })
  const b = make()
  let checkpoint: Checkpoint | undefined
  await new Trainer(b, compile).fit({ ...small, sampleShape: [28, 28] }, { epochs: 1, batchSize: 64, shuffle: false, callbacks: { onCheckpoint: (saved) => void (checkpoint = saved) } })
  assert.equal(checkpoint!.epoch, 1)
  assert.equal(checkpoint!.step, 8)
  const resumed = await new Trainer(b, compile).fit({ ...small, sampleShape: [28, 28] }, { epochs: 2, batchSize: 64, shuffle: false, checkpoint })
  assert.equal(resumed.epochs.length, 1, 'only the remaining epoch runs')
  for (const weight of a.weights) {
    const left = a.getWeight(weight.name)
    const right = b.getWeight(weight.name)
    for (let index = 0; index < left.length; index++) assert.ok(Math.abs(left[index]! - right[index]!) < 1e-6, `${weight.name}[${index}]`)
  }
})

test('bad training input is refused with a precise message', async () => {
  const trainer = new Trainer(seedMlp(), parseCompileOptions(SEED_COMPILE))
  const wrongShape = createDataset({ x: new Float32Array(8), y: new Int32Array(2), sampleShape: [4], count: 2 })
  await assert.rejects(trainer.fit(wrongShape), /samples of shape \[4\]; the model's input is \[28, 28\]/)
  const perPosition = sequential([dense({ units: 10, activation: 'softmax', inputShape: [28, 28] })])
  assert.throws(() => new Trainer(perPosition, parseCompileOptions(SEED_COMPILE)), /sparse_categorical_crossentropy needs an output of shape \[classes\]; the model's output is \[28, 10\]/)
  const badLabel = createDataset({ x: new Float32Array(784), y: Int32Array.of(12), sampleShape: [28, 28], count: 1 })
  await assert.rejects(trainer.fit(badLabel), /label 12 of sample 0 is outside the model's 10 classes/)
  await assert.rejects(trainer.fit(train, { epochs: 0 }), /epochs must be a positive integer/)
  assert.throws(() => parseCompileOptions({ optimizer: 'adam', loss: 'hinge' }), /loss 'hinge' is not known/)
})

test('evaluate counts accuracy exactly: right predictions over samples, not a sum of float32 batch means', async () => {
  const trainer = new Trainer(seedMlp(), parseCompileOptions(SEED_COMPILE))
  await trainer.fit({ ...train, x: train.x.subarray(0, 784 * 256), y: train.y.subarray(0, 256), count: 256 }, { epochs: 1 })
  // 1,000 samples in batches of 96: ten whose float32 mean is inexact, and a last one of 40.
  const subset = { ...test_, x: test_.x.subarray(0, 784 * 1000), y: test_.y.subarray(0, 1000), count: 1000 }
  const { metrics } = await trainer.evaluate(subset, { batchSize: 96 })
  const probabilities = await trainer.predict(subset.x)
  let right = 0
  for (let row = 0; row < 1000; row++) {
    const scores = probabilities.subarray(row * 10, row * 10 + 10)
    if (scores.indexOf(Math.max(...scores)) === subset.y[row]) right++
  }
  assert.equal(metrics.accuracy, right / 1000)
})

test('resuming from a checkpoint without optimizer slots is refused, not silently restarted from zeros', async () => {
  const small = { ...train, x: train.x.subarray(0, 784 * 64), y: train.y.subarray(0, 64), count: 64 }
  const model = seedMlp()
  const weights = new Map(model.weights.map((weight) => [weight.name, model.getWeight(weight.name)]))
  const trainer = new Trainer(model, parseCompileOptions(SEED_COMPILE))
  await assert.rejects(trainer.fit(small, { epochs: 2, checkpoint: { epoch: 1, step: 2, values: weights } }), /the checkpoint \(step 2\) has no value for '.*\/m_sum'/)
})
