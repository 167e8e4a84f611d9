import { test } from 'node:test'
import { attr } from '../../onnx/onnx-builder.ts'
import { assertGradientsMatch, type CheckInput } from '../gradient-check.ts'

// Inputs kept away from 0 so that finite differences never straddle a kink.
const awayFromZero = (datatype: 'FP32' | 'FP64'): CheckInput => {
  const values = Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? 1 : -1) * (0.1 + ((i * 5) % 12) / 10))
  return { name: 'x', datatype, shape: [3, 4], data: datatype === 'FP64' ? Float64Array.from(values) : Float32Array.from(values) }
}

for (const op of ['Relu', 'LeakyRelu', 'Sigmoid', 'Tanh']) {
  test(`${op}: gradient matches finite differences (float64)`, async () => {
    await assertGradientsMatch({ inputs: [awayFromZero('FP64')], forward: (graph) => graph.node(op, ['x'])[0]! })
  })
}

// ORT's CPU kernels for these are float32-only.
for (const op of ['Elu', 'Selu', 'Erf']) {
  test(`${op}: gradient matches finite differences (float32)`, async () => {
    await assertGradientsMatch({ inputs: [awayFromZero('FP32')], forward: (graph) => graph.node(op, ['x'])[0]! })
  })
}

test('LeakyRelu and Elu honour their alpha attribute', async () => {
  await assertGradientsMatch({ inputs: [awayFromZero('FP64')], forward: (graph) => graph.node('LeakyRelu', ['x'], { attributes: { alpha: attr.float(0.3) } })[0]! })
  await assertGradientsMatch({ inputs: [awayFromZero('FP32')], forward: (graph) => graph.node('Elu', ['x'], { attributes: { alpha: attr.float(0.5) } })[0]! })
})

for (const op of ['Softmax', 'LogSoftmax']) {
  test(`${op}: gradient matches finite differences along the last axis and along axis 1 of a 3-D input`, async () => {
    await assertGradientsMatch({ inputs: [{ name: 'x', datatype: 'FP64', shape: [3, 5] }], forward: (graph) => graph.node(op, ['x'])[0]! })
    await assertGradientsMatch({
      inputs: [{ name: 'x', datatype: 'FP64', shape: [2, 3, 2], declaredShape: [-1, 3, 2] }],
      forward: (graph) => graph.node(op, ['x'], { attributes: { axis: attr.int(1) } })[0]!,
    })
  })
}
