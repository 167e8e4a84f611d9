import { test } from 'node:test'
import { attr, type GraphBuilder } from '../../onnx/onnx-builder.ts'
import { assertGradientsMatch, type CheckInput } from '../gradient-check.ts'

const f64 = (name: string, shape: number[], declaredShape?: (number | string)[]): CheckInput => ({
  name, datatype: 'FP64', shape, ...(declaredShape ? { declaredShape } : {}),
})
const ints = (graph: GraphBuilder, name: string, values: number[]) =>
  graph.initializer(name, { datatype: 'INT64', shape: [values.length], data: BigInt64Array.from(values, BigInt) })

test('Reshape, Flatten, Squeeze and Unsqueeze reshape the gradient back (dynamic batch)', async () => {
  const x = f64('x', [2, 3, 4], [-1, 3, 4])
  await assertGradientsMatch({ inputs: [x], forward: (graph) => graph.node('Reshape', ['x', ints(graph, 's', [0, -1])])[0]! })
  await assertGradientsMatch({ inputs: [x], forward: (graph) => graph.node('Flatten', ['x'], { attributes: { axis: attr.int(2) } })[0]! })
  await assertGradientsMatch({ inputs: [x], forward: (graph) => graph.node('Unsqueeze', ['x', ints(graph, 'a', [1, -1])])[0]! })
  await assertGradientsMatch({ inputs: [f64('x', [2, 1, 4])], forward: (graph) => graph.node('Squeeze', ['x', ints(graph, 'a', [1])])[0]! })
})

test('Transpose with an explicit and with the default permutation', async () => {
  const x = f64('x', [2, 3, 4])
  await assertGradientsMatch({ inputs: [x], forward: (graph) => graph.node('Transpose', ['x'], { attributes: { perm: attr.ints([1, 2, 0]) } })[0]! })
  await assertGradientsMatch({ inputs: [x], forward: (graph) => graph.node('Transpose', ['x'])[0]! })
})

test('Concat splits the gradient by the inputs sizes, static and dynamic', async () => {
  await assertGradientsMatch({
    inputs: [f64('a', [2, 3]), f64('b', [2, 1]), f64('c', [2, 2])],
    forward: (graph) => graph.node('Concat', ['a', 'b', 'c'], { attributes: { axis: attr.int(-1) } })[0]!,
  })
  await assertGradientsMatch({
    inputs: [f64('a', [2, 3], [-1, -1]), f64('b', [1, 3], [-1, 3])],
    forward: (graph) => graph.node('Concat', ['a', 'b'], { attributes: { axis: attr.int(0) } })[0]!,
  })
})

test('Split concatenates output gradients, with zeros for outputs that do not reach the loss', async () => {
  await assertGradientsMatch({
    inputs: [f64('x', [2, 6])],
    forward: (graph) => {
      const [first, , third] = graph.node('Split', ['x', ints(graph, 'split', [1, 2, 3])], { outputs: 3, attributes: { axis: attr.int(1) } })
      return graph.node('Concat', [first!, third!], { attributes: { axis: attr.int(1) } })[0]!
    },
  })
  await assertGradientsMatch({
    inputs: [f64('x', [4, 3], [-1, 3])],
    forward: (graph) => graph.node('Split', ['x'], { outputs: 2 })[1]!,
  })
})
