import assert from 'node:assert/strict'
import { test } from 'node:test'
import { GraphBuilder, attr, type Attribute } from '../../onnx/onnx-builder.ts'
import { appendBackward } from '../backward.ts'
import { assertGradientsMatch, checkGradients, type CheckInput } from '../gradient-check.ts'
import { BLOCK_ROW_LIMIT } from './max-pool-blocks.ts'

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

/** The op types appendBackward emits for the gradient of `op` over an input of `shape`. */
function gradientOps(op: string, shape: (number | string)[], attributes: Record<string, Attribute>): string[] {
  const graph = new GraphBuilder('g')
  graph.input('x', 'FP32', shape)
  const y = graph.node(op, ['x'], { attributes })[0]!
  const loss = graph.node('ReduceSum', [y], { attributes: { keepdims: attr.int(0) } })[0]!
  const forwardCount = graph.nodes.length
  appendBackward(graph, loss, ['x'])
  return graph.nodes.slice(forwardCount).map((node) => node.opType)
}

test('MaxPool with non-overlapping windows (block path): even and odd sizes, non-square, 1-D, Indices output', async () => {
  await checkPool('MaxPool', [2, 3, 4, 6], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) }, 'FP64')
  await checkPool('MaxPool', [1, 2, 5, 7], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) }, 'FP64', 2)
  await checkPool('MaxPool', [2, 2, 6, 7], { kernel_shape: attr.ints([3, 2]), strides: attr.ints([3, 2]) }, 'FP64')
  await checkPool('MaxPool', [2, 3, 9], { kernel_shape: attr.ints([3]), strides: attr.ints([3]) }, 'FP64')
  await checkPool('MaxPool', [1, 2, 4, 4], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]), ceil_mode: attr.int(1) }, 'FP32')
})

test('MaxPool takes the block path only for tiling windows with static sizes', () => {
  const block = { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) }
  assert.ok(!gradientOps('MaxPool', [2, 3, 8, 8], block).includes('ScatterElements'))
  assert.ok(gradientOps('MaxPool', [2, 3, 'h', 'w'], block).includes('ScatterElements'))
  assert.ok(gradientOps('MaxPool', [2, 3, 8, 8], { kernel_shape: attr.ints([3, 3]), strides: attr.ints([2, 2]) }).includes('ScatterElements'))
  assert.ok(gradientOps('MaxPool', [2, 3, 8, 8], { ...block, pads: attr.ints([1, 1, 1, 1]) }).includes('ScatterElements'))
  assert.ok(gradientOps('MaxPool', [2, 3, 5, 5], { ...block, ceil_mode: attr.int(1) }).includes('ScatterElements'))
  assert.ok(gradientOps('MaxPool', [1, 1, 4, 2 * (BLOCK_ROW_LIMIT + 1)], block).includes('ScatterElements'))
})

test('MaxPool block path: tied maxima share the window gradient evenly', async () => {
  // Window (0, 0) holds four equal values, window (0, 1) a unique max.
  const data = Float64Array.of(1, 1, 0, 3, 1, 1, 2, 0)
  const report = await checkGradients({
    inputs: [{ name: 'x', datatype: 'FP64', shape: [1, 1, 2, 4], data }],
    forward: (graph) => graph.node('MaxPool', ['x'], { attributes: { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) } })[0]!,
  })
  const dx = report.analytic.x!
  const tied = [dx[0]!, dx[1]!, dx[4]!, dx[5]!]
  assert.ok(tied.every((value) => value !== 0 && Math.abs(value - tied[0]!) < 1e-12), `tied window gradient ${tied}`)
  assert.ok([dx[2], dx[6], dx[7]].every((value) => value === 0))
  assert.notEqual(dx[3], 0)
})
