import { test } from 'node:test'
import { attr } from '../../onnx/onnx-builder.ts'
import { assertGradientsMatch, type CheckInput } from '../gradient-check.ts'

const f64 = (name: string, shape: number[], declaredShape?: (number | string)[], wrt = true): CheckInput => ({
  name, datatype: 'FP64', shape, wrt, ...(declaredShape ? { declaredShape } : {}),
})
const positive = (name: string, count: number): CheckInput => ({
  name, datatype: 'FP64', shape: [count], wrt: false, data: Float64Array.from({ length: count }, (_, i) => 0.5 + i / 4),
})

test('BatchNormalization training form: gradients wrt X, scale and B use the batch statistics', async () => {
  await assertGradientsMatch({
    inputs: [f64('x', [3, 2, 2, 2], [-1, 2, 2, 2]), f64('scale', [2]), f64('bias', [2]), f64('mean', [2], undefined, false), positive('var', 2)],
    forward: (graph) =>
      graph.node('BatchNormalization', ['x', 'scale', 'bias', 'mean', 'var'], { outputs: 3, attributes: { training_mode: attr.int(1), epsilon: attr.float(1e-3) } })[0]!,
  })
  await assertGradientsMatch({
    inputs: [f64('x', [4, 3]), f64('scale', [3]), f64('bias', [3]), f64('mean', [3], undefined, false), positive('var', 3)],
    forward: (graph) => graph.node('BatchNormalization', ['x', 'scale', 'bias', 'mean', 'var'], { outputs: 3, attributes: { training_mode: attr.int(1) } })[0]!,
  })
})

test('BatchNormalization inference form: gradients from the running statistics', async () => {
  await assertGradientsMatch({
    inputs: [f64('x', [2, 3, 2]), f64('scale', [3]), f64('bias', [3]), f64('mean', [3], undefined, false), positive('var', 3)],
    forward: (graph) => graph.node('BatchNormalization', ['x', 'scale', 'bias', 'mean', 'var'])[0]!,
  })
})

test('LayerNormalization: last axis and axis 1 of a 3-D input, with and without bias', async () => {
  await assertGradientsMatch({
    inputs: [f64('x', [3, 4], [-1, 4]), f64('scale', [4]), f64('bias', [4])],
    forward: (graph) => graph.node('LayerNormalization', ['x', 'scale', 'bias'])[0]!,
  })
  await assertGradientsMatch({
    inputs: [f64('x', [2, 3, 2]), f64('scale', [3, 2])],
    forward: (graph) => graph.node('LayerNormalization', ['x', 'scale'], { attributes: { axis: attr.int(1), epsilon: attr.float(1e-3) } })[0]!,
  })
})
