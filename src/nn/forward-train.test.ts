import assert from 'node:assert/strict'
import { test } from 'node:test'
import { GraphBuilder } from '../onnx/onnx-builder.ts'
import { batchNormalization, dense, dropout, emitForward, input, model, seedMlp, sequential, type EmitOptions, type Model } from './index.ts'
import { assertClose, normalizeReference, runOnnx, testValues } from './nn-testing.ts'

/** Emits `m`, declares its outputs and state updates as graph outputs; returns the bytes and the emission result. */
function buildGraph(m: Model, options: EmitOptions) {
  const graph = new GraphBuilder('train')
  const forward = emitForward(m, graph, options)
  forward.outputs.forEach((name, index) => graph.output(name, 'FP32', forward.outputShapes[index]!))
  for (const update of forward.stateUpdates) graph.output(update.update, 'FP32', graph.typeOf(update.update)!.shape)
  return { graph, forward, bytes: graph.toBytes() }
}

/** Feeds for every weight bound as a graph input, from the model's current values. */
function weightFeeds(m: Model, graph: GraphBuilder) {
  const names = new Set(graph.inputs.map((info) => info.name))
  return Object.fromEntries(m.weights.filter((weight) => names.has(weight.name)).map((weight) => [weight.name, { shape: weight.spec.shape, data: m.getWeight(weight.name) }]))
}

test("train-mode Dropout zeroes about `rate` of the values and scales the rest by 1/(1-rate); inference emits no Dropout", async () => {
  const m = sequential([dropout({ rate: 0.25, inputShape: [1000] })])
  const { bytes, forward } = buildGraph(m, { mode: 'train', parameters: 'inputs' })
  assert.equal(forward.dropoutSeeds.length, 1)
  const x = Float32Array.from({ length: 4000 }, (_, i) => 1 + (i % 7))
  const y = (await runOnnx(bytes, { input: { shape: [4, 1000], data: x } }))[forward.outputs[0]!]!.data
  const zeros = y.filter((value) => value === 0).length / y.length
  assert.ok(Math.abs(zeros - 0.25) < 0.03, `dropped fraction ${zeros}`)
  y.forEach((value, i) => value !== 0 && assertClose([value], [x[i]! / 0.75], 1e-6))
  const inference = buildGraph(m, { mode: 'inference', parameters: 'initializers' })
  assert.ok(!inference.graph.nodes.some((node) => node.opType === 'Dropout'))
})

test('each Dropout node gets its own seed, the same for the same options', () => {
  const m = sequential([dropout({ rate: 0.5, inputShape: [4] }), dropout({ rate: 0.5 }), dropout({ rate: 0.5, seed: 77 })])
  const seeds = (options: EmitOptions) => emitForward(m, new GraphBuilder('g'), options).dropoutSeeds.map((entry) => entry.seed)
  const first = seeds({ mode: 'train', parameters: 'inputs', dropoutSeed: 5 })
  assert.equal(new Set(first).size, 2)
  assert.deepEqual(seeds({ mode: 'train', parameters: 'inputs', dropoutSeed: 5 }), first)
  assert.notDeepEqual(seeds({ mode: 'train', parameters: 'inputs', dropoutSeed: 6 }), first)
  const graph = new GraphBuilder('g')
  emitForward(m, graph, { mode: 'train', parameters: 'inputs' })
  assert.deepEqual(graph.nodes.filter((node) => node.opType === 'Dropout').map((node) => node.attributes.seed?.value).at(-1), 77)
})

for (const shape of [[4], [3, 2, 4]]) {
  test(`train-mode BatchNormalization on ${JSON.stringify([null, ...shape])} normalises with batch statistics and outputs Keras-momentum moving statistics`, async () => {
    const m = sequential([batchNormalization({ inputShape: shape, momentum: 0.9, epsilon: 1e-3 })])
    const gamma = testValues(4, 1)
    const beta = testValues(4, 2)
    const movingMean = testValues(4, 3)
    const movingVariance = testValues(4, 4).map((v) => v + 2)
    m.setWeight('batch_normalization/gamma', gamma)
    m.setWeight('batch_normalization/beta', beta)
    m.setWeight('batch_normalization/moving_mean', movingMean)
    m.setWeight('batch_normalization/moving_variance', movingVariance)
    const { bytes, forward, graph } = buildGraph(m, { mode: 'train', parameters: 'inputs' })
    assert.deepEqual(forward.parameterNames, ['batch_normalization/gamma', 'batch_normalization/beta'])
    assert.deepEqual(forward.state.map((binding) => binding.weight), ['batch_normalization/moving_mean', 'batch_normalization/moving_variance'])
    assert.deepEqual(forward.stateUpdates.map((update) => update.weight), ['batch_normalization/moving_mean', 'batch_normalization/moving_variance'])
    const count = 5 * shape.reduce((a, b) => a * b, 1)
    const x = testValues(count, 9).map((v, i) => 3 * v + (i % 4))
    const outputs = await runOnnx(bytes, { input: { shape: [5, ...shape], data: x }, ...weightFeeds(m, graph) })
    // Batch statistics per channel (the last axis), biased variance, as Keras.
    const rows = count / 4
    const mean = Float32Array.from({ length: 4 }, (_, c) => x.filter((_, i) => i % 4 === c).reduce((a, b) => a + b, 0) / rows)
    const variance = Float32Array.from({ length: 4 }, (_, c) => x.filter((_, i) => i % 4 === c).reduce((a, b) => a + (b - mean[c]!) ** 2, 0) / rows)
    assertClose(outputs[forward.outputs[0]!]!.data, normalizeReference(x, 4, gamma, beta, 1e-3, { mean, variance }))
    assertClose(outputs[forward.stateUpdates[0]!.update]!.data, movingMean.map((v, c) => 0.9 * v + 0.1 * mean[c]!))
    assertClose(outputs[forward.stateUpdates[1]!.update]!.data, movingVariance.map((v, c) => 0.9 * v + 0.1 * variance[c]!))
  })
}

test('a frozen BatchNormalization runs on its moving statistics in train mode, and its weights are state', () => {
  const m = sequential([batchNormalization({ inputShape: [4], trainable: false })])
  const { forward, graph } = buildGraph(m, { mode: 'train', parameters: 'inputs' })
  assert.deepEqual(forward.parameters, [])
  assert.equal(forward.state.length, 4)
  assert.deepEqual(forward.stateUpdates, [])
  assert.equal(graph.nodes.find((node) => node.opType === 'BatchNormalization')!.outputs.length, 1)
  assert.deepEqual(m.countParams(), { total: 16, trainable: 0, nonTrainable: 16 })
})

test('parameters and state are graph inputs or initializers as asked; constants are never initializers', () => {
  const m = sequential([dense({ units: 3, inputShape: [2] }), batchNormalization()])
  const placed = (options: EmitOptions) => {
    const graph = new GraphBuilder('g')
    emitForward(m, graph, options)
    return { inputs: graph.inputs.map((info) => info.name), initializers: graph.initializers.map((tensor) => tensor.name) }
  }
  const params = ['dense/kernel', 'dense/bias', 'batch_normalization/gamma', 'batch_normalization/beta']
  const state = ['batch_normalization/moving_mean', 'batch_normalization/moving_variance']
  assert.deepEqual(placed({ mode: 'train', parameters: 'inputs' }), { inputs: ['input', ...params, ...state], initializers: [] })
  assert.deepEqual(placed({ mode: 'inference', parameters: 'initializers' }), { inputs: ['input'], initializers: [...params, ...state] })
  assert.deepEqual(placed({ mode: 'train', parameters: 'inputs', state: 'initializers' }), { inputs: ['input', ...params], initializers: state })
})

test("outputActivation 'omit' leaves the final softmax out and says so; inner activations stay", () => {
  const m = seedMlp()
  const graph = new GraphBuilder('g')
  const forward = emitForward(m, graph, { mode: 'train', parameters: 'inputs', outputActivation: 'omit' })
  assert.deepEqual(forward.omittedActivations, ['softmax'])
  assert.ok(!graph.nodes.some((node) => node.opType === 'Softmax'))
  assert.ok(graph.nodes.some((node) => node.opType === 'Relu'))
  const kept = emitForward(m, new GraphBuilder('g'), { mode: 'train', parameters: 'inputs' })
  assert.deepEqual(kept.omittedActivations, [undefined])
})

test('the seed MLP training graph runs in ORT with parameters fed as inputs, and uses only autodiff-supported ops', async () => {
  const m = seedMlp()
  const { bytes, forward, graph } = buildGraph(m, { mode: 'train', parameters: 'inputs', bindInputs: undefined })
  assert.deepEqual(forward.parameterNames, ['dense/kernel', 'dense/bias', 'dense_1/kernel', 'dense_1/bias'])
  const supported = new Set(['MatMul', 'Add', 'Relu', 'Softmax', 'Dropout', 'Flatten', 'Constant'])
  assert.deepEqual(graph.nodes.filter((node) => !supported.has(node.opType)), [])
  const outputs = await runOnnx(bytes, { input: { shape: [2, 28, 28], data: testValues(2 * 784, 1) }, ...weightFeeds(m, graph) })
  assert.deepEqual(outputs[forward.outputs[0]!]!.shape, [2, 10])
})

test('bindInputs wires the model to existing graph values instead of new graph inputs', () => {
  const x = input({ shape: [2] })
  const m = model({ inputs: x, outputs: dense({ units: 1 }).apply(x) })
  const graph = new GraphBuilder('g')
  graph.input('features', 'FP32', [-1, 2])
  const forward = emitForward(m, graph, { mode: 'inference', parameters: 'inputs', bindInputs: ['features'] })
  assert.deepEqual(forward.inputs, ['features'])
  assert.deepEqual(graph.inputs.map((info) => info.name), ['features', 'dense/kernel', 'dense/bias'])
  assert.equal(graph.nodes[0]!.inputs[0], 'features')
})

const AUTODIFF_OPS = new Set(['MatMul', 'Gemm', 'Add', 'Sub', 'Mul', 'Div', 'Neg', 'Relu', 'Sigmoid', 'Tanh', 'Softmax', 'LogSoftmax', 'Exp', 'Log', 'Erf', 'Sqrt', 'Pow', 'Abs', 'Clip', 'Elu', 'Selu', 'LeakyRelu', 'Max', 'Min', 'Conv', 'MaxPool', 'AveragePool', 'GlobalAveragePool', 'BatchNormalization', 'LayerNormalization', 'Dropout', 'Gather', 'Reshape', 'Flatten', 'Transpose', 'Concat', 'Split', 'Squeeze', 'Unsqueeze', 'ReduceMean', 'ReduceSum', 'Identity', 'Cast', 'Where', 'OneHot', 'Shape', 'Constant'])

test('every layer and activation emits only ops the autodiff supports, in both modes', async () => {
  const { modelFromSpec } = await import('./model-spec.ts')
  const { LAYER_CLASSES } = await import('./layers/layer-registry.ts')
  const { ACTIVATIONS } = await import('./activations.ts')
  const layer = (class_name: string, name: string, config: object, inbound: string[]) => ({ class_name, name, config: { name, ...config }, inbound_nodes: [inbound.map((from) => [from, 0, 0, {}])] })
  const spec = {
    class_name: 'Functional',
    config: {
      name: 'everything',
      layers: [
        { class_name: 'InputLayer', name: 'image', config: { name: 'image', batch_input_shape: [null, 8, 8, 3] }, inbound_nodes: [] },
        { class_name: 'InputLayer', name: 'ids', config: { name: 'ids', batch_input_shape: [null, 4], dtype: 'int32' }, inbound_nodes: [] },
        layer('Conv2D', 'conv', { filters: 4, kernel_size: 3, padding: 'same', activation: 'gelu' }, ['image']),
        layer('DepthwiseConv2D', 'depthwise', { kernel_size: 3, padding: 'same', activation: 'swish' }, ['conv']),
        layer('BatchNormalization', 'bn', {}, ['depthwise']),
        layer('MaxPooling2D', 'max', { padding: 'same' }, ['bn']),
        layer('AveragePooling2D', 'avg', {}, ['max']),
        layer('GlobalAveragePooling2D', 'gap', {}, ['avg']),
        layer('Embedding', 'embedding', { input_dim: 5, output_dim: 4 }, ['ids']),
        layer('LayerNormalization', 'ln', {}, ['embedding']),
        layer('Flatten', 'flat', {}, ['ln']),
        layer('Reshape', 'reshaped', { target_shape: [4, 4] }, ['flat']),
        layer('Flatten', 'flat2', {}, ['reshaped']),
        layer('Dense', 'proj', { units: 4, activation: 'elu' }, ['flat2']),
        ...['Add', 'Subtract', 'Multiply', 'Average', 'Maximum', 'Minimum'].map((merge) => layer(merge, merge.toLowerCase(), {}, ['gap', 'proj'])),
        layer('Concatenate', 'concat', {}, ['add', 'subtract', 'multiply', 'average', 'maximum', 'minimum']),
        layer('Dropout', 'drop', { rate: 0.1 }, ['concat']),
        layer('LeakyReLU', 'leaky', {}, ['drop']),
        ...ACTIVATIONS.map((activation) => layer('Activation', `act_${activation}`, { activation }, ['leaky'])),
      ],
      input_layers: [['image', 0, 0], ['ids', 0, 0]],
      output_layers: ACTIVATIONS.map((activation) => [`act_${activation}`, 0, 0]),
    },
  }
  const m = modelFromSpec(spec)
  const used = new Set(m.layers.map((item) => item.className))
  assert.deepEqual(LAYER_CLASSES.filter((name) => !used.has(name)), [])
  for (const mode of ['train', 'inference'] as const) {
    const { graph, bytes, forward } = buildGraph(m, { mode, parameters: 'inputs' })
    assert.deepEqual([...new Set(graph.nodes.map((node) => node.opType))].filter((op) => !AUTODIFF_OPS.has(op)), [])
    const outputs = await runOnnx(bytes, {
      image: { shape: [2, 8, 8, 3], data: testValues(384, 1) },
      ids: { shape: [2, 4], data: Int32Array.from([0, 1, 2, 4, 3, 3, 2, 1]) },
      ...weightFeeds(m, graph),
    })
    assert.deepEqual(outputs[forward.outputs[0]!]!.shape, [2, 24])
  }
})
