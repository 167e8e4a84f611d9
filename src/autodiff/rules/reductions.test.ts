import { test } from 'node:test'
import { attr } from '../../onnx/onnx-builder.ts'
import { assertGradientsMatch, type CheckInput } from '../gradient-check.ts'

const x: CheckInput = { name: 'x', datatype: 'FP64', shape: [2, 3, 4], declaredShape: [-1, 3, 4] }

test('ReduceSum: axes input, keepdims 0/1, negative axes, all axes', async () => {
  for (const keepdims of [0, 1]) {
    for (const axes of [[1], [0, 2], [-1], undefined]) {
      await assertGradientsMatch({
        inputs: [x],
        forward: (graph) => {
          const inputs = axes ? ['x', graph.initializer('axes', { datatype: 'INT64', shape: [axes.length], data: BigInt64Array.from(axes, BigInt) })] : ['x']
          return graph.node('ReduceSum', inputs, { attributes: { keepdims: attr.int(keepdims) } })[0]!
        },
      })
    }
  }
})

test('ReduceMean: axes attribute, keepdims 0/1, all axes, dynamic batch', async () => {
  for (const keepdims of [0, 1]) {
    for (const axes of [[1], [0, -1], undefined]) {
      await assertGradientsMatch({
        inputs: [x],
        forward: (graph) => graph.node('ReduceMean', ['x'], { attributes: { keepdims: attr.int(keepdims), ...(axes ? { axes: attr.ints(axes) } : {}) } })[0]!,
      })
    }
  }
})

test('GlobalAveragePool: gradient matches finite differences (float32 only in ORT)', async () => {
  await assertGradientsMatch({
    inputs: [{ name: 'x', datatype: 'FP32', shape: [2, 3, 3, 2], declaredShape: [-1, 3, -1, -1] }],
    forward: (graph) => graph.node('GlobalAveragePool', ['x'])[0]!,
  })
})
