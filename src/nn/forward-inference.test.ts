import assert from 'node:assert/strict'
import { test } from 'node:test'
import { readOnnxSignature } from '../onnx/onnx-signature.ts'
import { activation, add, batchNormalization, concatenate, conv2d, dense, depthwiseConv2d, embedding, exportInferenceModel, flatten, globalAveragePooling2d, input, layerNormalization, maxPooling2d, averagePooling2d, model, reshape, sequential, seedCnn, type Layer, type Model } from './index.ts'
import { assertClose, conv2dReference, denseReference, geluReference, normalizeReference, poolReference, runOnnx, testValues, type Tensor } from './nn-testing.ts'

/** Exports `m` and runs it on one FP32 input; returns its first output. */
async function runModel(m: Model, x: Tensor): Promise<Tensor> {
  const outputs = await runOnnx(exportInferenceModel(m), { [m.inputs[0]!.call.layer.name]: x })
  return outputs[m.outputs[0]!.call.layer.name]!
}

/** Gives every weight of `m` test values in Keras layout; returns them. */
function randomizeKerasWeights(m: Model, seed: number): Map<string, Tensor> {
  const weights = new Map([...m.getKerasWeights()].map(([name, value], index) => [name, { shape: value.shape, data: testValues(value.data.length, seed + index) }]))
  m.setKerasWeights(weights)
  return weights
}

const image = (n: number, h: number, w: number, c: number, seed = 3): Tensor => ({ shape: [n, h, w, c], data: testValues(n * h * w * c, seed) })

test('Dense + relu matches x·kernel + bias through relu', async () => {
  const m = sequential([dense({ units: 4, activation: 'relu', inputShape: [3] })])
  const w = randomizeKerasWeights(m, 10)
  const x = { shape: [5, 3], data: testValues(15, 1) }
  const expected = denseReference(x, w.get('dense/kernel')!, w.get('dense/bias')!.data).data.map((v) => Math.max(0, v))
  const y = await runModel(m, x)
  assert.deepEqual(y.shape, [5, 4])
  assertClose(y.data, expected)
})

const convCases = [
  { padding: 'valid', strides: [1, 1], dilation: [1, 1] },
  { padding: 'same', strides: [2, 2], dilation: [1, 1] },
  { padding: 'same', strides: [2, 1], dilation: [1, 1] },
  { padding: 'valid', strides: [1, 1], dilation: [2, 2] },
  { padding: 'same', strides: [1, 1], dilation: [2, 1] },
] as const

for (const { padding, strides, dilation } of convCases) {
  test(`Conv2D ${padding} strides ${strides} dilation ${dilation} matches Keras on NHWC with a [kh, kw, in, out] kernel`, async () => {
    const layer = conv2d({ filters: 4, kernelSize: [3, 2], padding, strides, dilationRate: dilation, inputShape: [7, 6, 3] })
    const m = sequential([layer])
    const w = randomizeKerasWeights(m, 20)
    const x = image(2, 7, 6, 3)
    const expected = conv2dReference(x, w.get('conv2d/kernel')!, w.get('conv2d/bias')!.data, { padding, strides, dilation })
    const y = await runModel(m, x)
    assert.deepEqual(y.shape, expected.shape)
    assert.deepEqual(m.outputs[0]!.shape, expected.shape.slice(1))
    assertClose(y.data, expected.data)
  })
}

test('DepthwiseConv2D (multiplier 2, same, stride 2) matches Keras with a [kh, kw, in, multiplier] kernel', async () => {
  const m = sequential([depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', strides: 2, inputShape: [5, 6, 3] })])
  const w = randomizeKerasWeights(m, 30)
  assert.deepEqual(w.get('depthwise_conv2d/depthwise_kernel')!.shape, [3, 3, 3, 2])
  const x = image(2, 5, 6, 3)
  const expected = conv2dReference(x, w.get('depthwise_conv2d/depthwise_kernel')!, w.get('depthwise_conv2d/bias')!.data, { padding: 'same', strides: [2, 2], depthwise: true })
  const y = await runModel(m, x)
  assert.deepEqual(y.shape, [2, 3, 3, 6])
  assertClose(y.data, expected.data)
})

for (const [kind, padding, pool, stride] of [['max', 'valid', 2, 2], ['max', 'same', 3, 2], ['avg', 'valid', 2, 1], ['avg', 'same', 3, 2]] as const) {
  test(`${kind} pooling ${pool}x${pool} stride ${stride} ${padding} matches TensorFlow's (padding excluded from averages)`, async () => {
    const factory = kind === 'max' ? maxPooling2d : averagePooling2d
    const m = sequential([factory({ poolSize: pool, strides: stride, padding, inputShape: [7, 5, 2] })])
    const x = image(2, 7, 5, 2)
    const expected = poolReference(x, kind, [pool, pool], { padding, strides: [stride, stride] })
    const y = await runModel(m, x)
    assert.deepEqual(y.shape, expected.shape)
    assertClose(y.data, expected.data)
  })
}

test('GlobalAveragePooling2D averages over height and width', async () => {
  const m = sequential([globalAveragePooling2d({ inputShape: [3, 4, 2] })])
  const x = image(1, 3, 4, 2)
  const expected = [0, 1].map((c) => x.data.filter((_, i) => i % 2 === c).reduce((a, b) => a + b, 0) / 12)
  assertClose((await runModel(m, x)).data, expected)
})

test('BatchNormalization in inference uses the moving statistics on the channel axis of NHWC and on rank-2 input', async () => {
  for (const shape of [[3, 4, 5], [5]]) {
    const m = sequential([batchNormalization({ inputShape: shape, epsilon: 0.01 })])
    const stats = { mean: testValues(5, 1), variance: testValues(5, 2).map((v) => v + 1.5) }
    const gamma = testValues(5, 3)
    const beta = testValues(5, 4)
    m.setWeight('batch_normalization/gamma', gamma)
    m.setWeight('batch_normalization/beta', beta)
    m.setWeight('batch_normalization/moving_mean', stats.mean)
    m.setWeight('batch_normalization/moving_variance', stats.variance)
    const x = { shape: [2, ...shape], data: testValues(2 * shape.reduce((a, b) => a * b, 1), 9) }
    assertClose((await runModel(m, x)).data, normalizeReference(x.data, 5, gamma, beta, 0.01, stats))
  }
})

test('LayerNormalization normalises the last axis with gamma and beta', async () => {
  const m = sequential([layerNormalization({ inputShape: [2, 6] })])
  const gamma = testValues(6, 5)
  const beta = testValues(6, 6)
  m.setWeight('layer_normalization/gamma', gamma)
  m.setWeight('layer_normalization/beta', beta)
  const x = { shape: [3, 2, 6], data: testValues(36, 7) }
  assertClose((await runModel(m, x)).data, normalizeReference(x.data, 6, gamma, beta, 1e-3))
})

test('Embedding gathers rows for INT64 and for float indices', async () => {
  for (const dtype of ['int64', 'float32'] as const) {
    const ids = input({ shape: [3], dtype })
    const m = model({ inputs: ids, outputs: embedding({ inputDim: 10, outputDim: 4 }).apply(ids) })
    const table = m.getWeight('embedding/embeddings')
    const indices = [7, 0, 9, 3, 3, 1]
    const data = dtype === 'int64' ? BigInt64Array.from(indices, BigInt) : Float32Array.from(indices)
    const outputs = await runOnnx(exportInferenceModel(m), { input: { shape: [2, 3], data } })
    const y = outputs.embedding!
    assert.deepEqual(y.shape, [2, 3, 4])
    assertClose(y.data, indices.flatMap((index) => [...table.subarray(index * 4, index * 4 + 4)]))
  }
})

test('activations match their Keras definitions', async () => {
  const x = input({ shape: [8] })
  const names = ['gelu', 'swish', 'elu', 'selu', 'leaky_relu', 'relu6', 'sigmoid', 'tanh', 'softmax'] as const
  const m = model({ inputs: x, outputs: names.map((name) => activation({ activation: name, name }).apply(x)) })
  const values = Float32Array.from([-7, -2.5, -1, -0.1, 0, 0.3, 2, 7.5])
  const outputs = await runOnnx(exportInferenceModel(m), { input: { shape: [1, 8], data: values } })
  const sigmoid = (v: number) => 1 / (1 + Math.exp(-v))
  const exps = [...values].map(Math.exp)
  const expected: Record<(typeof names)[number], (v: number) => number> = {
    gelu: geluReference,
    swish: (v) => v * sigmoid(v),
    elu: (v) => (v > 0 ? v : Math.exp(v) - 1),
    selu: (v) => 1.0507009873554805 * (v > 0 ? v : 1.6732632423543772 * (Math.exp(v) - 1)),
    leaky_relu: (v) => (v > 0 ? v : 0.2 * v),
    relu6: (v) => Math.min(6, Math.max(0, v)),
    sigmoid,
    tanh: Math.tanh,
    softmax: (v) => Math.exp(v) / exps.reduce((a, b) => a + b, 0),
  }
  for (const name of names) assertClose(outputs[name]!.data, [...values].map(expected[name]), 1e-5)
})

test('functional add and concatenate combine two inputs', async () => {
  const a = input({ shape: [3], name: 'a' })
  const b = input({ shape: [3], name: 'b' })
  const m = model({ inputs: [a, b], outputs: [add([a, b], { name: 'sum' }), concatenate([a, b], { name: 'joined' })] })
  assert.deepEqual(m.outputs[1]!.shape, [6])
  const outputs = await runOnnx(exportInferenceModel(m), { a: { shape: [1, 3], data: Float32Array.from([1, 2, 3]) }, b: { shape: [1, 3], data: Float32Array.from([10, 20, 30]) } })
  assert.deepEqual([...outputs.sum!.data], [11, 22, 33])
  assert.deepEqual([...outputs.joined!.data], [1, 2, 3, 10, 20, 30])
})

test('Conv2D → Flatten → Dense with Keras weights gives Keras numbers: Flatten runs in (height, width, channels) order', async () => {
  const layers: Layer[] = [reshape({ targetShape: [4, 3, 2], inputShape: [24] }), conv2d({ filters: 3, kernelSize: 2 }), flatten(), dense({ units: 5 })]
  const m = sequential(layers)
  const w = randomizeKerasWeights(m, 40)
  const x = { shape: [2, 24], data: testValues(48, 8) }
  const conv = conv2dReference({ shape: [2, 4, 3, 2], data: x.data }, w.get('conv2d/kernel')!, w.get('conv2d/bias')!.data, { padding: 'valid', strides: [1, 1] })
  const kerasOrder = denseReference({ shape: [2, 18], data: conv.data }, w.get('dense/kernel')!, w.get('dense/bias')!.data)
  // The same activations flattened channels-first (what a naive NCHW Flatten would do) give other numbers.
  const nchw = new Float32Array(36)
  for (let b = 0; b < 2; b++) for (let i = 0; i < 3; i++) for (let j = 0; j < 2; j++) for (let c = 0; c < 3; c++) nchw[b * 18 + (c * 3 + i) * 2 + j] = conv.data[b * 18 + (i * 2 + j) * 3 + c]!
  const channelsFirst = denseReference({ shape: [2, 18], data: nchw }, w.get('dense/kernel')!, w.get('dense/bias')!.data)
  assert.throws(() => assertClose(channelsFirst.data, kerasOrder.data))
  assertClose((await runModel(m, x)).data, kerasOrder.data)
})

test('the seed CNN exports and runs; outputs are probabilities; metadata carries labels and the spec', async () => {
  const m = seedCnn()
  const bytes = exportInferenceModel(m, { labels: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], metadata: { author: 'test' } })
  const signature = readOnnxSignature(bytes)
  assert.deepEqual(signature.inputs, [{ name: 'input', datatype: 'FP32', shape: [-1, 28, 28] }])
  assert.deepEqual(signature.outputs, [{ name: 'dense_1', datatype: 'FP32', shape: [-1, 10] }])
  assert.equal(JSON.parse(signature.metadata.labels!).length, 10)
  assert.equal(signature.metadata.author, 'test')
  assert.equal(JSON.parse(signature.metadata['maas.model_spec']!).class_name, 'Sequential')
  const y = await runModel(m, { shape: [3, 28, 28], data: testValues(3 * 784, 5).map(Math.abs) })
  assert.deepEqual(y.shape, [3, 10])
  for (let row = 0; row < 3; row++) assertClose([y.data.subarray(row * 10, row * 10 + 10).reduce((a, b) => a + b, 0)], [1], 1e-5)
})
