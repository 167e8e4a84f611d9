import assert from 'node:assert/strict'
import { test } from 'node:test'
import ort from 'onnxruntime-node'
import { readOnnxSignature } from '../onnx/onnx-signature.ts'
import { batchNormalization, conv2d, dense, dropout, flatten, loadNamedDataset, maxPooling2d, normalize, reshape, sequential } from './keras.ts'

test('compile, fit in a worker thread, evaluate and predict, Keras-style', async () => {
  const { train, test: held } = await loadNamedDataset('mnist-small', {})
  const [x, xTest] = [normalize(train, { scale: 1 / 255 }), normalize(held, { scale: 1 / 255 })]
  const model = sequential([flatten({ inputShape: [28, 28] }), dense({ units: 64, activation: 'relu' }), dropout({ rate: 0.2 }), dense({ units: 10, activation: 'softmax' })])
  assert.match(model.summary(), /Total params: 50,890/)
  await assert.rejects(model.fit(x), /call compile/)
  model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] })
  const epochs: number[] = []
  let progressEvents = 0
  let checkpoints = 0
  const history = await model.fit(x, undefined, {
    epochs: 2,
    validationSplit: 0.1,
    callbacks: { onEpochEnd: (logs) => void epochs.push(logs.epoch), onProgress: () => void progressEvents++, onCheckpoint: () => void checkpoints++ },
  })
  assert.deepEqual(epochs, [1, 2])
  assert.ok(progressEvents >= 2 && checkpoints === 2)
  assert.ok(history.epochs[1]!.validation!.metrics.accuracy! > 0.85, JSON.stringify(history.epochs[1]))
  const result = await model.evaluate(xTest)
  assert.ok(result.metrics.accuracy! > 0.88, `accuracy ${result.metrics.accuracy}`)
  const probabilities = await model.predict(xTest.x.subarray(0, 784))
  assert.equal(probabilities.length, 10)
})

test('toOnnx exports an inference model that ORT runs with the training-time numbers, labels in metadata', async () => {
  const model = sequential([
    reshape({ targetShape: [8, 8, 1], inputShape: [64] }),
    conv2d({ filters: 4, kernelSize: 3, activation: 'relu' }),
    batchNormalization({}),
    maxPooling2d({ poolSize: 2 }),
    flatten(),
    dropout({ rate: 0.5 }),
    dense({ units: 3, activation: 'softmax' }),
  ])
  model.compile({ optimizer: 'sgd', loss: 'sparse_categorical_crossentropy' })
  const x = Float32Array.from({ length: 64 * 16 }, (_, index) => Math.cos(index))
  const y = Int32Array.from({ length: 16 }, (_, index) => index % 3)
  await model.fit(x, y, { epochs: 1, batchSize: 8, inWorker: false })
  const bytes = await model.toOnnx({ labels: ['a', 'b', 'c'], check: x })
  const signature = readOnnxSignature(bytes)
  assert.deepEqual(signature.inputs.map((input) => input.shape), [[-1, 64]])
  assert.equal(signature.metadata.labels, '["a","b","c"]')
  const session = await ort.InferenceSession.create(bytes)
  const output = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', x.subarray(0, 64), [1, 64]) })
  const expected = await model.predict(x.subarray(0, 64))
  const actual = output[session.outputNames[0]!]!.data as Float32Array
  expected.forEach((value, index) => assert.ok(Math.abs(value - actual[index]!) < 1e-5))
  await session.release()
})

test('fit refuses samples that do not fit the input and missing labels', async () => {
  const model = sequential([dense({ units: 2, inputShape: [3] })]).compile({ optimizer: 'sgd', loss: 'mse' })
  await assert.rejects(model.fit(new Float32Array(7), new Float32Array(4)), /7 values are not a whole number of samples of shape \[3\]/)
  await assert.rejects(model.fit(new Float32Array(6)), /labels \(y\) are required/)
})
