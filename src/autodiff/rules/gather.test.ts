import { test } from 'node:test'
import { attr } from '../../onnx/onnx-builder.ts'
import { assertGradientsMatch } from '../gradient-check.ts'

test('Gather (embedding): repeated and negative indices accumulate into the table rows', async () => {
  await assertGradientsMatch({
    inputs: [
      { name: 'table', datatype: 'FP64', shape: [5, 3] },
      { name: 'ids', datatype: 'INT64', shape: [2, 3], declaredShape: [-1, 3], data: BigInt64Array.of(0n, 2n, 2n, -1n, 4n, 0n) },
    ],
    forward: (graph) => graph.node('Gather', ['table', 'ids'])[0]!,
  })
})

test('Gather along axis 1 with INT32 indices and with a scalar index', async () => {
  await assertGradientsMatch({
    inputs: [
      { name: 'data', datatype: 'FP64', shape: [2, 4, 3] },
      { name: 'ids', datatype: 'INT32', shape: [3], data: Int32Array.of(3, 1, 3) },
    ],
    forward: (graph) => graph.node('Gather', ['data', 'ids'], { attributes: { axis: attr.int(1) } })[0]!,
  })
  await assertGradientsMatch({
    inputs: [
      { name: 'data', datatype: 'FP64', shape: [4, 3] },
      { name: 'ids', datatype: 'INT64', shape: [], data: BigInt64Array.of(2n) },
    ],
    forward: (graph) => graph.node('Gather', ['data', 'ids'])[0]!,
  })
})
