/**
 * Whole-model gradients against an independent implementation: each model is built in maas
 * and in @tensorflow/tfjs layers with the same weights, and the forward output, the loss,
 * the gradient of every trainable weight and the batch-norm moving statistics must agree
 * (norm-relative error ≤ 1e-4 per gradient tensor, float32); then one optimizer step of the
 * maas Trainer must land on the weights TF.js' trainOnBatch gives. Dense models run TF.js on
 * its wasm backend; convolutional ones on 'cpu', since wasm has no Conv2DBackpropFilter.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import * as tf from '@tensorflow/tfjs'
import {
  activation,
  batchNormalization,
  conv2d,
  dense,
  dropout,
  flatten,
  layerNormalization,
  maxPooling2d,
  sequential,
  type Model,
} from '../src/nn/index.ts'
import { createDataset } from '../src/training/datasets/dataset.ts'
import { parseCompileOptions } from '../src/training/trainer/compiled-model.ts'
import { Trainer } from '../src/training/trainer/trainer.ts'
import {
  copyWeightsToTfjs,
  maasPass,
  maxAbsoluteError,
  readTfjsWeights,
  relativeError,
  sampleValues,
  tfjsPass,
  useTfjsBackend,
  KerasAdamOptimizer,
  type Batch,
  type TfjsBackend,
} from './support/tfjs-reference.ts'

interface ModelCase {
  readonly name: string
  readonly backend: TfjsBackend
  readonly sampleShape: readonly number[]
  readonly batch: number
  /** The maas model; layer names are given so that TF.js' twin can use the same ones. */
  maas(): Model
  tfjs(): tf.LayersModel
}

const GRADIENT_TOLERANCE = 1e-4
const OUTPUT_TOLERANCE = 1e-5
const STEP_TOLERANCE = 1e-5

const CASES: readonly ModelCase[] = [
  {
    name: 'seed MLP (Flatten, Dense 128 relu, Dropout 0, Dense 10 softmax)',
    backend: 'wasm',
    sampleShape: [28, 28],
    batch: 8,
    maas: () =>
      sequential(
        [flatten({ name: 'flatten', inputShape: [28, 28] }), dense({ name: 'dense', units: 128, activation: 'relu' }), dropout({ name: 'dropout', rate: 0 }), dense({ name: 'dense_1', units: 10, activation: 'softmax' })],
        { seed: 3 },
      ),
    tfjs: () =>
      tf.sequential({
        layers: [
          tf.layers.flatten({ name: 'flatten', inputShape: [28, 28] }),
          tf.layers.dense({ name: 'dense', units: 128, activation: 'relu' }),
          tf.layers.dropout({ name: 'dropout', rate: 0 }),
          tf.layers.dense({ name: 'dense_1', units: 10, activation: 'softmax' }),
        ],
      }),
  },
  {
    name: 'Dense stack with tanh, sigmoid and gelu',
    backend: 'wasm',
    sampleShape: [6],
    batch: 5,
    maas: () =>
      sequential(
        [
          dense({ name: 'd_tanh', units: 8, activation: 'tanh', inputShape: [6] }),
          dense({ name: 'd_sigmoid', units: 7, activation: 'sigmoid' }),
          dense({ name: 'd_gelu', units: 6, activation: 'gelu' }),
          dense({ name: 'd_out', units: 4, activation: 'softmax' }),
        ],
        { seed: 4 },
      ),
    tfjs: () =>
      tf.sequential({
        layers: [
          tf.layers.dense({ name: 'd_tanh', units: 8, activation: 'tanh', inputShape: [6] }),
          tf.layers.dense({ name: 'd_sigmoid', units: 7, activation: 'sigmoid' }),
          // TF.js' 'gelu' is the exact erf form, as Keras' default and maas'.
          tf.layers.dense({ name: 'd_gelu', units: 6, activation: 'gelu' as 'relu' }),
          tf.layers.dense({ name: 'd_out', units: 4, activation: 'softmax' }),
        ],
      }),
  },
  {
    // No bias before a BatchNormalization: its true gradient is exactly 0 (the batch mean is
    // subtracted), so both sides would return float noise and a relative error means nothing.
    name: 'Dense + BatchNormalization (training mode, batch statistics) + relu',
    backend: 'wasm',
    sampleShape: [5],
    batch: 6,
    maas: () =>
      sequential(
        [
          dense({ name: 'd_in', units: 8, useBias: false, inputShape: [5] }),
          batchNormalization({ name: 'bn', momentum: 0.9 }),
          activation({ name: 'act', activation: 'relu' }),
          dense({ name: 'd_out', units: 3, activation: 'softmax' }),
        ],
        { seed: 5 },
      ),
    tfjs: () =>
      tf.sequential({
        layers: [
          tf.layers.dense({ name: 'd_in', units: 8, useBias: false, inputShape: [5] }),
          tf.layers.batchNormalization({ name: 'bn', momentum: 0.9 }),
          tf.layers.activation({ name: 'act', activation: 'relu' }),
          tf.layers.dense({ name: 'd_out', units: 3, activation: 'softmax' }),
        ],
      }),
  },
  {
    name: 'Dense + LayerNormalization + tanh',
    backend: 'wasm',
    sampleShape: [5],
    batch: 4,
    maas: () =>
      sequential(
        [
          dense({ name: 'd_in', units: 8, inputShape: [5] }),
          layerNormalization({ name: 'ln' }),
          activation({ name: 'act', activation: 'tanh' }),
          dense({ name: 'd_out', units: 3, activation: 'softmax' }),
        ],
        { seed: 6 },
      ),
    tfjs: () =>
      tf.sequential({
        layers: [
          tf.layers.dense({ name: 'd_in', units: 8, inputShape: [5] }),
          tf.layers.layerNormalization({ name: 'ln' }),
          tf.layers.activation({ name: 'act', activation: 'tanh' }),
          tf.layers.dense({ name: 'd_out', units: 3, activation: 'softmax' }),
        ],
      }),
  },
  {
    name: 'CNN (Conv2D valid, Conv2D same, MaxPooling2D, Flatten, Dense) on 8×8×2',
    backend: 'cpu',
    sampleShape: [8, 8, 2],
    batch: 4,
    maas: () =>
      sequential(
        [
          conv2d({ name: 'conv_valid', filters: 4, kernelSize: 3, activation: 'relu', inputShape: [8, 8, 2] }),
          conv2d({ name: 'conv_same', filters: 3, kernelSize: 3, padding: 'same', activation: 'relu' }),
          maxPooling2d({ name: 'pool', poolSize: 2 }),
          flatten({ name: 'flatten' }),
          dense({ name: 'd_out', units: 5, activation: 'softmax' }),
        ],
        { seed: 7 },
      ),
    tfjs: () =>
      tf.sequential({
        layers: [
          tf.layers.conv2d({ name: 'conv_valid', filters: 4, kernelSize: 3, activation: 'relu', inputShape: [8, 8, 2] }),
          tf.layers.conv2d({ name: 'conv_same', filters: 3, kernelSize: 3, padding: 'same', activation: 'relu' }),
          tf.layers.maxPooling2d({ name: 'pool', poolSize: 2 }),
          tf.layers.flatten({ name: 'flatten' }),
          tf.layers.dense({ name: 'd_out', units: 5, activation: 'softmax' }),
        ],
      }),
  },
  {
    name: 'CNN with a strided same Conv2D (asymmetric padding) and BatchNormalization over NHWC channels',
    backend: 'cpu',
    sampleShape: [8, 8, 2],
    batch: 3,
    maas: () =>
      sequential(
        [
          conv2d({ name: 'conv_stride', filters: 4, kernelSize: 3, strides: 2, padding: 'same', useBias: false, inputShape: [8, 8, 2] }),
          batchNormalization({ name: 'bn' }),
          activation({ name: 'act', activation: 'relu' }),
          conv2d({ name: 'conv_2', filters: 3, kernelSize: 2, activation: 'sigmoid' }),
          flatten({ name: 'flatten' }),
          dense({ name: 'd_out', units: 4, activation: 'softmax' }),
        ],
        { seed: 8 },
      ),
    tfjs: () =>
      tf.sequential({
        layers: [
          tf.layers.conv2d({ name: 'conv_stride', filters: 4, kernelSize: 3, strides: 2, padding: 'same', useBias: false, inputShape: [8, 8, 2] }),
          tf.layers.batchNormalization({ name: 'bn' }),
          tf.layers.activation({ name: 'act', activation: 'relu' }),
          tf.layers.conv2d({ name: 'conv_2', filters: 3, kernelSize: 2, activation: 'sigmoid' }),
          tf.layers.flatten({ name: 'flatten' }),
          tf.layers.dense({ name: 'd_out', units: 4, activation: 'softmax' }),
        ],
      }),
  },
]

function batchOf(modelCase: ModelCase, classes: number, seed: number): Batch {
  const size = modelCase.sampleShape.reduce((a, b) => a * b, 1)
  return {
    x: sampleValues(modelCase.batch * size, seed, 1.5),
    y: Int32Array.from({ length: modelCase.batch }, (_, index) => (index * 7 + seed) % classes),
    sampleShape: modelCase.sampleShape,
  }
}

function classesOf(model: Model): number {
  return model.outputs[0]!.shape.at(-1)!
}

/** Builds both twins with the maas weights copied into TF.js. */
async function twins(modelCase: ModelCase): Promise<{ model: Model; reference: tf.LayersModel }> {
  await useTfjsBackend(modelCase.backend)
  const model = modelCase.maas()
  const reference = modelCase.tfjs()
  copyWeightsToTfjs(model, reference)
  return { model, reference }
}

function assertWithin(error: number, tolerance: number, what: string): void {
  assert.ok(error <= tolerance, `${what}: error ${error.toExponential(2)} > ${tolerance}`)
}

for (const modelCase of CASES) {
  test(`${modelCase.name}: output, loss and every weight's gradient match TF.js (${modelCase.backend})`, async () => {
    const { model, reference } = await twins(modelCase)
    const batch = batchOf(modelCase, classesOf(model), 11)
    const expected = tfjsPass(model, reference, batch)
    const actual = await maasPass(model, batch)
    assertWithin(relativeError(actual.output, expected.output), OUTPUT_TOLERANCE, 'output')
    assertWithin(Math.abs(actual.loss - expected.loss) / Math.abs(expected.loss), OUTPUT_TOLERANCE, `loss ${actual.loss} vs ${expected.loss}`)
    assert.deepEqual([...actual.gradients.keys()].sort(), [...expected.gradients.keys()].sort())
    for (const [name, gradient] of expected.gradients) {
      assert.ok(gradient.some((value) => value !== 0), `${name}: TF.js gradient is all zeros, the check would prove nothing`)
      assertWithin(relativeError(actual.gradients.get(name)!, gradient), GRADIENT_TOLERANCE, `gradient of ${name}`)
    }
    assert.deepEqual([...actual.state.keys()].sort(), [...expected.state.keys()].sort())
    for (const [name, value] of expected.state) assertWithin(relativeError(actual.state.get(name)!, value), OUTPUT_TOLERANCE, `moving statistic ${name}`)
    reference.dispose()
  })

  test(`${modelCase.name}: one SGD step of the Trainer lands on TF.js trainOnBatch's weights`, async () => {
    const { model, reference } = await twins(modelCase)
    const batch = batchOf(modelCase, classesOf(model), 23)
    const count = batch.y.length
    const dataset = createDataset({ x: batch.x, y: batch.y, sampleShape: modelCase.sampleShape, count, classes: classesOf(model) })
    await new Trainer(model, parseCompileOptions({ optimizer: { name: 'sgd', learningRate: 0.1 }, loss: 'sparse_categorical_crossentropy' })).fit(dataset, {
      epochs: 1,
      batchSize: count,
      shuffle: false,
    })
    reference.compile({ optimizer: tf.train.sgd(0.1), loss: 'sparseCategoricalCrossentropy' })
    const x = tf.tensor(batch.x, [count, ...modelCase.sampleShape])
    const y = tf.tensor2d(Float32Array.from(batch.y), [count, 1])
    await reference.trainOnBatch(x, y)
    tf.dispose([x, y])
    const expected = readTfjsWeights(model, reference)
    const actual = model.getKerasWeights()
    const initial = modelCase.maas().getKerasWeights()
    for (const [name, value] of expected) {
      assertWithin(maxAbsoluteError(actual.get(name)!.data, value.data), STEP_TOLERANCE, `${name} after one step`)
      if (model.weights.find((weight) => weight.name === name)!.trainable) {
        assert.ok(maxAbsoluteError(value.data, initial.get(name)!.data) > 1e-4, `${name} did not move in TF.js; the check would prove nothing`)
      }
    }
    reference.dispose()
  })
}

test('seed MLP: the loss on probabilities (softmax applied, clipped log, as Keras) gives TF.js gradients too', async () => {
  const modelCase = CASES[0]!
  const { model, reference } = await twins(modelCase)
  const batch = batchOf(modelCase, 10, 5)
  const expected = tfjsPass(model, reference, batch)
  const actual = await maasPass(model, batch, { loss: 'probabilities' })
  assertWithin(Math.abs(actual.loss - expected.loss) / expected.loss, OUTPUT_TOLERANCE, 'loss')
  for (const [name, gradient] of expected.gradients) assertWithin(relativeError(actual.gradients.get(name)!, gradient), GRADIENT_TOLERANCE, `gradient of ${name}`)
  reference.dispose()
})

test('seed MLP: three Adam steps of the Trainer (one Loop call) land on TF.js Adam’s weights', async () => {
  const modelCase = CASES[0]!
  const { model, reference } = await twins(modelCase)
  const parts = [31, 37, 41].map((seed) => batchOf(modelCase, 10, seed))
  const count = parts[0]!.y.length
  const dataset = createDataset({
    x: Float32Array.from(parts.flatMap((part) => [...part.x])),
    y: Int32Array.from(parts.flatMap((part) => [...part.y])),
    sampleShape: modelCase.sampleShape,
    count: parts.length * count,
    classes: 10,
  })
  await new Trainer(model, parseCompileOptions({ optimizer: { name: 'adam', learningRate: 0.01 }, loss: 'sparse_categorical_crossentropy' })).fit(dataset, {
    epochs: 1,
    batchSize: count,
    shuffle: false,
  })
  reference.compile({ optimizer: new KerasAdamOptimizer(0.01), loss: 'sparseCategoricalCrossentropy' })
  for (const part of parts) {
    const xs = tf.tensor(part.x, [count, ...modelCase.sampleShape])
    const ys = tf.tensor2d(Float32Array.from(part.y), [count, 1])
    await reference.trainOnBatch(xs, ys)
    tf.dispose([xs, ys])
  }
  const expected = readTfjsWeights(model, reference)
  const actual = model.getKerasWeights()
  const initial = modelCase.maas().getKerasWeights()
  // By norm, not element by element: Adam's early steps are ≈ lr·sign(g), so a weight whose
  // gradient is float noise can move by up to lr differently in the two.
  for (const [name, value] of expected) {
    const before = initial.get(name)!.data
    const update = (data: Float32Array) => data.map((v, index) => v - before[index]!)
    assertWithin(relativeError(update(actual.get(name)!.data), update(value.data)), GRADIENT_TOLERANCE, `Adam update of ${name}`)
  }
  reference.dispose()
})
