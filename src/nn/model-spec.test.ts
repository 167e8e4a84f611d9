import assert from 'node:assert/strict'
import { test } from 'node:test'
import { InvalidArgumentError } from '../core/errors.ts'
import { SEED_CNN_SPEC, SEED_MLP_SPEC, add, concatenate, dense, input, model, modelFromSpec, seedCnn, seedMlp } from './index.ts'

test('toSpec round-trips the presets and a functional model with a shared layer', () => {
  const x = input({ shape: [6], name: 'x' })
  const shared = dense({ units: 6, activation: 'tanh', name: 'shared' })
  const once = shared.apply(x)
  const twice = shared.apply(once)
  const functional = model({ inputs: x, outputs: [add([once, twice]), concatenate([x, twice], { axis: 1 })], name: 'twin' })
  for (const original of [seedMlp(), seedCnn(), functional]) {
    const spec = JSON.parse(JSON.stringify(original.toSpec()))
    const rebuilt = modelFromSpec(spec)
    assert.deepEqual(rebuilt.toSpec(), original.toSpec())
    assert.equal(rebuilt.summary(), original.summary())
    assert.deepEqual(rebuilt.weights.map((weight) => weight.name), original.weights.map((weight) => weight.name))
    assert.deepEqual(rebuilt.getWeight(rebuilt.weights[0]!.name), original.getWeight(original.weights[0]!.name))
  }
  const twin = functional.toSpec()
  assert.equal(twin.class_name, 'Functional')
  if (twin.class_name === 'Functional') {
    const entry = twin.config.layers.find((layer) => layer.name === 'shared')!
    assert.deepEqual(entry.inbound_nodes, [[['x', 0, 0, {}]], [['shared', 0, 0, {}]]])
  }
})

test('the seed specs build the same models as the presets (and accept JSON text)', () => {
  assert.equal(modelFromSpec(JSON.stringify(SEED_MLP_SPEC)).summary(), seedMlp().summary())
  assert.equal(modelFromSpec(SEED_CNN_SPEC).summary(), seedCnn().summary())
})

const KERAS_INIT = (className: string) => ({ module: 'keras.initializers', class_name: className, config: className === 'Zeros' || className === 'Ones' ? {} : { seed: null }, registered_name: null })

test('reads a TF.js model.json converted from Keras 2 (modelTopology.model_config, BN axis [3], groups, module keys)', () => {
  const json = {
    format: 'layers-model',
    generatedBy: 'keras v2.15.0',
    modelTopology: {
      keras_version: '2.15.0',
      backend: 'tensorflow',
      model_config: {
        class_name: 'Sequential',
        config: {
          name: 'sequential',
          layers: [
            { class_name: 'InputLayer', config: { batch_input_shape: [null, 28, 28, 1], dtype: 'float32', sparse: false, ragged: false, name: 'conv2d_input' } },
            { class_name: 'Conv2D', config: { name: 'conv2d', trainable: true, dtype: 'float32', batch_input_shape: [null, 28, 28, 1], filters: 8, kernel_size: [3, 3], strides: [1, 1], padding: 'valid', data_format: 'channels_last', dilation_rate: [1, 1], groups: 1, activation: 'relu', use_bias: true, kernel_initializer: KERAS_INIT('GlorotUniform'), bias_initializer: KERAS_INIT('Zeros'), kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null, kernel_constraint: null, bias_constraint: null } },
            { class_name: 'BatchNormalization', config: { name: 'batch_normalization', trainable: true, dtype: 'float32', axis: [3], momentum: 0.99, epsilon: 0.001, center: true, scale: true, beta_initializer: KERAS_INIT('Zeros'), gamma_initializer: KERAS_INIT('Ones'), moving_mean_initializer: KERAS_INIT('Zeros'), moving_variance_initializer: KERAS_INIT('Ones'), beta_regularizer: null, gamma_regularizer: null, beta_constraint: null, gamma_constraint: null } },
            { class_name: 'MaxPooling2D', config: { name: 'max_pooling2d', trainable: true, dtype: 'float32', pool_size: [2, 2], padding: 'valid', strides: [2, 2], data_format: 'channels_last' } },
            { class_name: 'Flatten', config: { name: 'flatten', trainable: true, dtype: 'float32', data_format: 'channels_last' } },
            { class_name: 'Dropout', config: { name: 'dropout', trainable: true, dtype: 'float32', rate: 0.5, noise_shape: null, seed: null } },
            { class_name: 'Dense', config: { name: 'dense', trainable: true, dtype: 'float32', units: 10, activation: 'softmax', use_bias: true, kernel_initializer: { class_name: 'VarianceScaling', config: { scale: 1, mode: 'fan_avg', distribution: 'uniform', seed: null } }, bias_initializer: KERAS_INIT('Zeros'), kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null, kernel_constraint: null, bias_constraint: null } },
          ],
        },
      },
    },
    weightsManifest: [],
  }
  const m = modelFromSpec(json)
  assert.deepEqual(m.countParams(), { total: 80 + 32 + 1352 * 10 + 10, trainable: 80 + 16 + 13530, nonTrainable: 16 })
  assert.deepEqual(m.outputs[0]!.shape, [10])
  assert.deepEqual(m.getKerasWeights().get('conv2d/kernel')!.shape, [3, 3, 1, 8])
})

test('reads Keras 3 functional JSON (batch_shape, DTypePolicy, __keras_tensor__ inbound nodes, unwrapped refs)', () => {
  const tensor = (name: string) => ({ class_name: '__keras_tensor__', config: { shape: [null, 8], dtype: 'float32', keras_history: [name, 0, 0] } })
  const denseLayer = (name: string, from: string) => ({
    module: 'keras.layers', class_name: 'Dense', registered_name: null, name, build_config: { input_shape: [null, 8] },
    config: { name, trainable: true, dtype: { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null }, units: 8, activation: 'relu', use_bias: true, kernel_initializer: KERAS_INIT('GlorotUniform'), bias_initializer: KERAS_INIT('Zeros'), kernel_regularizer: null, bias_regularizer: null, kernel_constraint: null, bias_constraint: null, quantization_config: null },
    inbound_nodes: [{ args: [tensor(from)], kwargs: {} }],
  })
  const spec = {
    module: 'keras', class_name: 'Functional', registered_name: 'Functional',
    config: {
      name: 'functional', trainable: true,
      layers: [
        { module: 'keras.layers', class_name: 'InputLayer', registered_name: null, name: 'input_layer', config: { batch_shape: [null, 8], dtype: 'float32', sparse: false, name: 'input_layer' }, inbound_nodes: [] },
        denseLayer('dense', 'input_layer'),
        denseLayer('dense_1', 'dense'),
        { module: 'keras.layers', class_name: 'Add', registered_name: null, name: 'add', config: { name: 'add', trainable: true, dtype: 'float32' }, inbound_nodes: [{ args: [[tensor('dense'), tensor('dense_1')]], kwargs: {} }] },
      ],
      input_layers: ['input_layer', 0, 0],
      output_layers: ['add', 0, 0],
    },
  }
  const m = modelFromSpec(spec)
  assert.equal(m.kind, 'Functional')
  assert.deepEqual(m.summaryData().layers.map((layer) => [layer.name, layer.connectedTo]), [['input_layer', []], ['dense', ['input_layer[0][0]']], ['dense_1', ['dense[0][0]']], ['add', ['dense[0][0]', 'dense_1[0][0]']]])
  assert.equal(m.countParams().total, 2 * 72)
})

/** A Sequential spec with an input of `shape` and these layers after it. */
const seq = (layers: object[], shape: (number | null)[] = [null, 28, 28]) => ({
  class_name: 'Sequential',
  config: { name: 's', layers: [{ class_name: 'InputLayer', config: { batch_input_shape: shape } }, ...layers] },
})

const invalid: [string, unknown, string][] = [
  ['a negative unit count', seq([{ class_name: 'Flatten', config: {} }, { class_name: 'Dense', config: { units: -3 } }]), "layers[2] (Dense): 'units' must be a positive integer, got -3"],
  ['a missing unit count', seq([{ class_name: 'Dense', config: {} }]), "layers[1] (Dense): 'units' must be a positive integer, got nothing"],
  ['an unknown layer class', seq([{ class_name: 'Conv3D', config: {} }]), "layers[1]: unsupported layer class 'Conv3D' (supported: InputLayer, Dense,"],
  ['an unknown model class', { class_name: 'Graph', config: {} }, "spec: 'class_name' must be 'Sequential' or 'Functional', got \"Graph\""],
  ['a typo in a key', seq([{ class_name: 'Dense', config: { unit: 4, units: 4 } }]), "layers[1] (Dense): unknown config key 'unit'"],
  ['an unknown padding', seq([{ class_name: 'Reshape', config: { target_shape: [28, 28, 1] } }, { class_name: 'Conv2D', config: { filters: 2, kernel_size: 3, padding: 'full' } }]), "layers[2] (Conv2D): 'padding' must be one of 'valid', 'same', got \"full\""],
  ['a kernel size of the wrong length', seq([{ class_name: 'Conv2D', config: { filters: 2, kernel_size: [3] } }]), "layers[1] (Conv2D): 'kernel_size' must be an integer >= 1 or a list of 2 such integers, got [3]"],
  ['channels_first', seq([{ class_name: 'MaxPooling2D', config: { data_format: 'channels_first' } }]), "layers[1] (MaxPooling2D): 'data_format' must be \"channels_last\" (other values are not supported), got \"channels_first\""],
  ['a conv on a rank-2 input', seq([{ class_name: 'Conv2D', config: { filters: 2, kernel_size: 3 } }]), 'layers[1] (Conv2D): expects an NHWC image input of rank 4 (None, height, width, channels), got input shape (None, 28, 28)'],
  ['an impossible reshape', seq([{ class_name: 'Reshape', config: { target_shape: [5, -1] } }]), 'layers[1] (Reshape): cannot reshape (None, 28, 28) to (None, 5, None)'],
  ['a dropout rate of 1', seq([{ class_name: 'Dropout', config: { rate: 1 } }]), "layers[1] (Dropout): 'rate' must be a finite number >= 0 and < 1, got 1"],
  ['an unknown activation', seq([{ class_name: 'Dense', config: { units: 2, activation: 'mish' } }]), "layers[1] (Dense): 'activation' must be one of 'linear', 'relu'"],
  ['a regularizer', seq([{ class_name: 'Dense', config: { units: 2, kernel_regularizer: { class_name: 'L2', config: { l2: 0.01 } } } }]), "layers[1] (Dense): 'kernel_regularizer' must be null (not supported)"],
  ['no input shape', { class_name: 'Sequential', config: { layers: [{ class_name: 'Dense', config: { units: 2 } }] } }, "layers[0] (Dense): the first layer of a Sequential model needs 'batch_input_shape'"],
  ['a pool larger than the image', seq([{ class_name: 'MaxPooling2D', config: { pool_size: 5 } }], [null, 4, 4, 1]), "layers[1] (MaxPooling2D): the 5x5 pool does not fit the 4x4 input with 'valid' padding"],
  ['an empty layer list', { class_name: 'Sequential', config: { layers: [] } }, "spec config: 'layers' must be a non-empty list of layers, got []"],
  ['text that is not JSON', '{"class_name":', 'spec: not valid JSON'],
]

for (const [what, spec, message] of invalid) {
  test(`rejects ${what} with a precise InvalidArgumentError`, () => {
    assert.throws(() => modelFromSpec(spec), (error: Error) => {
      assert.ok(error instanceof InvalidArgumentError, `${error.name}: ${error.message}`)
      assert.ok(error.message.startsWith(message), `message: ${error.message}`)
      return true
    })
  })
}

const functional = (layers: object[], inputs: unknown = [['in', 0, 0]], outputs: unknown = [['d', 0, 0]]) => ({
  class_name: 'Functional',
  config: { name: 'f', layers: [{ class_name: 'InputLayer', name: 'in', config: { name: 'in', batch_input_shape: [null, 4] }, inbound_nodes: [] }, ...layers], input_layers: inputs, output_layers: outputs },
})

const invalidFunctional: [string, unknown, string][] = [
  ['an inbound node from an unknown layer', functional([{ class_name: 'Dense', name: 'd', config: { name: 'd', units: 2 }, inbound_nodes: [[['nope', 0, 0, {}]]] }]), "layers[1] (Dense): inbound node refers to unknown layer 'nope'"],
  ['a duplicate layer name', functional([{ class_name: 'Dense', name: 'in', config: { name: 'in', units: 2 }, inbound_nodes: [[['in', 0, 0, {}]]] }]), "layers[1] (Dense): layer name 'in' is used twice"],
  ['an output that does not exist', functional([{ class_name: 'Dense', name: 'd', config: { name: 'd', units: 2 }, inbound_nodes: [[['in', 0, 0, {}]]] }], undefined, [['d', 1, 0]]), "spec config: 'output_layers' refers to node 1 of layer 'd', which does not exist"],
  ['a malformed inbound node', functional([{ class_name: 'Dense', name: 'd', config: { name: 'd', units: 2 }, inbound_nodes: [[['in', 'zero']]] }]), 'layers[1] (Dense): an inbound node entry must be [layer_name, node_index, tensor_index, kwargs]'],
  ['adding tensors of different shapes', functional([
    { class_name: 'Dense', name: 'd', config: { name: 'd', units: 2 }, inbound_nodes: [[['in', 0, 0, {}]]] },
    { class_name: 'Add', name: 'a', config: { name: 'a' }, inbound_nodes: [[['in', 0, 0, {}], ['d', 0, 0, {}]]] },
  ], undefined, [['a', 0, 0]]), 'layers[2] (Add): expects inputs of one shape, got (None, 4) and (None, 2)'],
  ['a graph that needs an input not listed', {
    class_name: 'Functional',
    config: {
      name: 'f',
      layers: [
        { class_name: 'InputLayer', name: 'a', config: { name: 'a', batch_input_shape: [null, 4] }, inbound_nodes: [] },
        { class_name: 'InputLayer', name: 'b', config: { name: 'b', batch_input_shape: [null, 4] }, inbound_nodes: [] },
        { class_name: 'Add', name: 'sum', config: { name: 'sum' }, inbound_nodes: [[['a', 0, 0, {}], ['b', 0, 0, {}]]] },
      ],
      input_layers: [['a', 0, 0]],
      output_layers: [['sum', 0, 0]],
    },
  }, "spec config: graph disconnected: the outputs depend on input InputLayer 'b'"],
]

for (const [what, spec, message] of invalidFunctional) {
  test(`rejects a functional spec with ${what}`, () => {
    assert.throws(() => modelFromSpec(spec), (error: Error) => {
      assert.ok(error instanceof InvalidArgumentError, `${error.name}: ${error.message}`)
      assert.ok(error.message.startsWith(message), `message: ${error.message}`)
      return true
    })
  })
}
