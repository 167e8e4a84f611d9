import { test } from 'node:test'
import { attr, type Attribute } from '../../onnx/onnx-builder.ts'
import { assertGradientsMatch, type CheckInput } from '../gradient-check.ts'

// Distinct values 0.05 apart (shuffled): no two elements of a window are within the FD step.
function distinct(count: number, datatype: 'FP32' | 'FP64'): Float32Array | Float64Array {
  const values = Array.from({ length: count }, (_, i) => ((i * 37) % count) * 0.05 - count * 0.025)
  return datatype === 'FP64' ? Float64Array.from(values) : Float32Array.from(values)
}

async function checkPool(op: string, shape: number[], attributes: Record<string, Attribute>, datatype: 'FP32' | 'FP64', outputs = 1) {
  const x: CheckInput = { name: 'x', datatype, shape, data: distinct(shape.reduce((p, d) => p * d, 1), datatype) }
  await assertGradientsMatch({
    inputs: [x],
    eps: datatype === 'FP64' ? 1e-6 : 1e-3,
    forward: (graph) => graph.node(op, ['x'], { outputs, attributes })[0]!,
  })
}

test('MaxPool: overlapping windows, padding, strides (float64), with and without an Indices output', async () => {
  await checkPool('MaxPool', [2, 2, 5, 5], { kernel_shape: attr.ints([3, 3]), strides: attr.ints([1, 1]) }, 'FP64')
  await checkPool('MaxPool', [1, 2, 5, 4], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 1]), pads: attr.ints([1, 0, 0, 1]) }, 'FP64', 2)
  await checkPool('MaxPool', [1, 1, 6, 6], { kernel_shape: attr.ints([2, 2]), dilations: attr.ints([2, 2]), ceil_mode: attr.int(1), strides: attr.ints([2, 2]) }, 'FP64')
})

test('AveragePool: padding with count_include_pad 0 and 1, strides, ceil_mode (float32 only in ORT)', async () => {
  for (const countIncludePad of [0, 1]) {
    const common = { count_include_pad: attr.int(countIncludePad) }
    await checkPool('AveragePool', [2, 2, 5, 5], { ...common, kernel_shape: attr.ints([3, 3]), pads: attr.ints([1, 1, 1, 1]) }, 'FP32')
    await checkPool('AveragePool', [1, 2, 5, 6], { ...common, kernel_shape: attr.ints([2, 3]), strides: attr.ints([2, 2]), pads: attr.ints([0, 1, 1, 0]) }, 'FP32')
    await checkPool('AveragePool', [1, 1, 5, 5], { ...common, kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]), pads: attr.ints([1, 1, 0, 0]), ceil_mode: attr.int(1) }, 'FP32')
  }
  await checkPool('AveragePool', [1, 2, 5, 5], { kernel_shape: attr.ints([3, 3]), auto_pad: attr.string('SAME_LOWER'), strides: attr.ints([2, 2]) }, 'FP32')
})
