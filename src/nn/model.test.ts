import assert from 'node:assert/strict'
import { test } from 'node:test'
import { InvalidArgumentError } from '../core/errors.ts'
import {
  add, averagePooling2d, batchNormalization, conv2d, dense, depthwiseConv2d, dropout, embedding, flatten, globalAveragePooling2d, input,
  inputLayer, layerNormalization, maxPooling2d, model, reshape, seedCnn, seedMlp, sequential,
} from './index.ts'
import { testValues } from './nn-testing.ts'

test('the seed MLP has 101,770 parameters, as in Keras', () => {
  const m = seedMlp()
  assert.deepEqual(m.countParams(), { total: 101_770, trainable: 101_770, nonTrainable: 0 })
  assert.deepEqual(m.summaryData().layers.map((layer) => [layer.name, layer.outputShape, layer.params]), [
    ['flatten', '(None, 784)', 0],
    ['dense', '(None, 128)', 100_480],
    ['dropout', '(None, 128)', 0],
    ['dense_1', '(None, 10)', 1_290],
  ])
})

test('the seed CNN has 320 + 18,496 + 1,179,776 + 1,290 = 1,199,882 parameters, as in Keras', () => {
  const summary = seedCnn().summaryData()
  assert.deepEqual(summary.layers.map((layer) => [layer.name, layer.outputShape, layer.params]), [
    ['reshape', '(None, 28, 28, 1)', 0],
    ['conv2d', '(None, 26, 26, 32)', 320],
    ['conv2d_1', '(None, 24, 24, 64)', 18_496],
    ['max_pooling2d', '(None, 12, 12, 64)', 0],
    ['flatten', '(None, 9216)', 0],
    ['dense', '(None, 128)', 1_179_776],
    ['dense_1', '(None, 10)', 1_290],
  ])
  assert.equal(summary.totalParams, 1_199_882)
})

test('summary() prints a Keras-like table with the totals', () => {
  const text = seedMlp().summary()
  assert.match(text, /^Model: "seed_mlp"\n_+\n Layer \(type\) +Output Shape +Param #\n=+\n flatten \(Flatten\) +\(None, 784\) +0\n/)
  assert.match(text, /Total params: 101,770\nTrainable params: 101,770\nNon-trainable params: 0\n_+$/)
})

test('layer output shapes follow Keras for strides, same padding, dilation, depthwise, pooling and embedding', () => {
  const m = sequential([
    inputLayer({ inputShape: [32, 30, 3] }),
    conv2d({ filters: 8, kernelSize: 5, strides: 2, padding: 'same' }),
    depthwiseConv2d({ kernelSize: 3, depthMultiplier: 3, dilationRate: 2 }),
    averagePooling2d({ poolSize: 3, strides: 2, padding: 'same' }),
    maxPooling2d({ poolSize: [2, 3] }),
    batchNormalization(),
    globalAveragePooling2d(),
  ])
  assert.deepEqual(m.summaryData().layers.map((layer) => layer.outputShape), ['(None, 16, 15, 8)', '(None, 12, 11, 24)', '(None, 6, 6, 24)', '(None, 3, 2, 24)', '(None, 3, 2, 24)', '(None, 24)'])
  assert.deepEqual(m.summaryData().layers.map((layer) => layer.params), [5 * 5 * 3 * 8 + 8, 3 * 3 * 8 * 3 + 24, 0, 0, 4 * 24, 0])
  assert.deepEqual(m.countParams(), { total: 608 + 240 + 96, trainable: 608 + 240 + 48, nonTrainable: 48 })
  const tokens = sequential([embedding({ inputDim: 1000, outputDim: 16, inputLength: 20 }), layerNormalization(), flatten()])
  assert.deepEqual(tokens.outputs[0]!.shape, [320])
  assert.equal(tokens.countParams().total, 16_000 + 32)
})

test('functional models list inputs and what each layer is connected to', () => {
  const a = input({ shape: [4], name: 'a' })
  const b = input({ shape: [4], name: 'b' })
  const sum = add([dense({ units: 4 }).apply(a), b])
  const m = model({ inputs: [a, b], outputs: dense({ units: 2, activation: 'softmax' }).apply(sum) })
  assert.deepEqual(m.summaryData().layers.map((layer) => [layer.name, layer.connectedTo]), [
    ['a', []], ['b', []], ['dense', ['a[0][0]']], ['add', ['dense[0][0]', 'b[0][0]']], ['dense_1', ['add[0][0]']],
  ])
  assert.match(m.summary(), /Connected to/)
})

test('layer factories validate like specs, naming the layer class', () => {
  const rejects = (build: () => unknown, message: string) =>
    assert.throws(build, (error: Error) => error instanceof InvalidArgumentError && error.message === message)
  rejects(() => dense({ units: -3 }), "Dense: 'units' must be a positive integer, got -3")
  rejects(() => conv2d({ filters: 4, kernelSize: 0 }), "Conv2D: 'kernel_size' must be an integer >= 1 or a list of 2 such integers, got 0")
  rejects(() => dropout({ rate: -0.1 }), "Dropout: 'rate' must be a finite number >= 0 and < 1, got -0.1")
  rejects(() => reshape({ targetShape: [-1, -1] }), "Reshape: 'target_shape' must be a shape with at most one unknown (-1) dimension, got [-1,-1]")
  rejects(() => sequential([dense({ units: 2 })]), "Dense: the first layer of a Sequential model needs 'inputShape' (or start with an input layer)")
  rejects(() => sequential([flatten({ inputShape: [2, 2] }), conv2d({ filters: 1, kernelSize: 1 })]), "Conv2D: expects an NHWC image input of rank 4 (None, height, width, channels), got input shape (None, 4)")
  rejects(() => dense({ units: 2, name: 'x' }).apply(input({ shape: [null] })), "Dense 'x': expects an input with a known last dimension, got input shape (None, None)")
})

test('graph errors: duplicate names, disconnected inputs, merge layers in Sequential', () => {
  const x = input({ shape: [3] })
  const twins = dense({ units: 3, name: 'same' }).apply(dense({ units: 3, name: 'same' }).apply(x))
  assert.throws(() => model({ inputs: x, outputs: twins }), /two layers of the model are named 'same'/)
  const other = input({ shape: [3] })
  assert.throws(() => model({ inputs: x, outputs: add([x, other]) }), /graph disconnected/)
  assert.throws(() => add([x]), /expects a list of at least 2 inputs, got 1/)
})

test('Keras-layout weights convert to and from the stored ONNX layout', () => {
  const m = sequential([conv2d({ filters: 3, kernelSize: [2, 4], inputShape: [5, 5, 2] }), depthwiseConv2d({ kernelSize: 2, depthMultiplier: 2 })])
  const stored = m.getWeight('conv2d/kernel')
  const keras = m.getKerasWeights().get('conv2d/kernel')!
  assert.deepEqual(m.weights[0]!.spec.shape, [3, 2, 2, 4])
  assert.deepEqual(keras.shape, [2, 4, 2, 3])
  // Keras [kh=1, kw=3, in=1, out=2] is ONNX [out=2, in=1, kh=1, kw=3].
  assert.equal(keras.data[((1 * 4 + 3) * 2 + 1) * 3 + 2], stored[((2 * 2 + 1) * 2 + 1) * 4 + 3])
  const fresh = sequential([conv2d({ filters: 3, kernelSize: [2, 4], inputShape: [5, 5, 2] }), depthwiseConv2d({ kernelSize: 2, depthMultiplier: 2 })], { seed: 99 })
  fresh.setKerasWeights(Object.fromEntries([...m.getKerasWeights()].map(([name, value]) => [`${name}:0`, value])))
  for (const weight of m.weights) assert.deepEqual(fresh.getWeight(weight.name), m.getWeight(weight.name))
  assert.throws(() => fresh.setKerasWeights({ 'conv2d/kernel': { shape: [3, 2, 2, 4], data: stored } }), /Keras shape \[2,4,2,3\], got \[3,2,2,4\]/)
  assert.throws(() => fresh.setWeight('conv2d/bias', testValues(2, 1)), /has 3 values, got 2/)
  assert.throws(() => fresh.getWeight('nope/kernel'), /has no weight 'nope\/kernel'/)
})
