import { test } from 'node:test'
import { attr, type GraphBuilder } from '../../onnx/onnx-builder.ts'
import { assertGradientsMatch, type CheckInput } from '../gradient-check.ts'

const f64 = (name: string, shape: number[], extra: Partial<CheckInput> = {}): CheckInput => ({ name, datatype: 'FP64', shape, ...extra })
const binary = (op: string) => (graph: GraphBuilder) => graph.node(op, ['a', 'b'])[0]!

for (const op of ['Add', 'Sub', 'Mul', 'Div']) {
  test(`${op}: gradients match finite differences for same shapes and for broadcasts [N,C]+[C], [N,1]+[1,M], scalar`, async () => {
    const positive = (shape: number[]) => Float64Array.from({ length: shape.reduce((p, d) => p * d, 1) }, (_, i) => 0.5 + ((i * 7) % 5) / 5)
    const cases: [number[], number[]][] = [[[2, 3], [2, 3]], [[4, 3], [3]], [[3, 1], [1, 4]], [[2, 3], []], [[], [2, 2]]]
    for (const [shapeA, shapeB] of cases) {
      const b = op === 'Div' ? { data: positive(shapeB) } : {}
      await assertGradientsMatch({ inputs: [f64('a', shapeA), f64('b', shapeB, b)], forward: binary(op) })
    }
  })
}

test('Add/Mul: broadcasting gradients are right when the batch dim is dynamic', async () => {
  await assertGradientsMatch({
    inputs: [f64('a', [5, 3], { declaredShape: [-1, 3] }), f64('b', [3])],
    forward: (graph) => graph.node('Mul', [graph.node('Add', ['a', 'b'])[0]!, 'b'])[0]!,
  })
  // Every dim dynamic: the reduced axes are found at run time.
  await assertGradientsMatch({
    inputs: [f64('a', [3, 1], { declaredShape: [-1, -1] }), f64('b', [1, 4], { declaredShape: [-1, -1] })],
    forward: binary('Mul'),
  })
  await assertGradientsMatch({
    inputs: [f64('a', [2, 3, 4], { declaredShape: [-1, -1, -1] }), f64('b', [3, 1], { declaredShape: [-1, -1] })],
    forward: binary('Sub'),
  })
})

test('Sum (n-ary, broadcasting), Max and Min route gradients correctly', async () => {
  await assertGradientsMatch({ inputs: [f64('a', [2, 3]), f64('b', [3]), f64('c', [2, 1])], forward: (graph) => graph.node('Sum', ['a', 'b', 'c'])[0]! })
  await assertGradientsMatch({ inputs: [f64('a', [3, 4]), f64('b', [4])], forward: binary('Max') })
  await assertGradientsMatch({ inputs: [f64('a', [3, 4]), f64('b', [3, 1])], forward: binary('Min') })
})

test('Pow with a constant exponent, Sqrt, Abs, Exp, Log, Neg, Identity, Reciprocal', async () => {
  const positive = (shape: number[]) => f64('x', shape, { data: Float64Array.from({ length: shape.reduce((p, d) => p * d, 1) }, (_, i) => 0.3 + i / 7) })
  await assertGradientsMatch({
    inputs: [positive([2, 3])],
    forward: (graph) => graph.node('Pow', ['x', graph.initializer('p', { datatype: 'FP64', shape: [], data: Float64Array.of(2.5) })])[0]!,
  })
  await assertGradientsMatch({
    inputs: [f64('x', [2, 3])],
    forward: (graph) => graph.node('Pow', ['x', graph.initializer('p', { datatype: 'INT64', shape: [], data: BigInt64Array.of(3n) })])[0]!,
  })
  for (const op of ['Sqrt', 'Log', 'Reciprocal']) await assertGradientsMatch({ inputs: [positive([2, 3])], forward: (graph) => graph.node(op, ['x'])[0]! })
  for (const op of ['Abs', 'Exp', 'Neg', 'Identity']) await assertGradientsMatch({ inputs: [f64('x', [2, 3])], forward: (graph) => graph.node(op, ['x'])[0]! })
})

test('Where passes gradients to the chosen value inputs; Clip only inside the bounds', async () => {
  const condition: CheckInput = { name: 'c', datatype: 'BOOL', shape: [2, 3], data: Uint8Array.of(1, 0, 1, 1, 0, 0) }
  await assertGradientsMatch({ inputs: [condition, f64('a', [2, 3]), f64('b', [3])], forward: (graph) => graph.node('Where', ['c', 'a', 'b'])[0]! })
  await assertGradientsMatch({
    inputs: [f64('x', [3, 4])],
    forward: (graph) => {
      const low = graph.initializer('low', { datatype: 'FP64', shape: [], data: Float64Array.of(-0.45) })
      const high = graph.initializer('high', { datatype: 'FP64', shape: [], data: Float64Array.of(0.55) })
      return graph.node('Clip', ['x', low, high])[0]!
    },
  })
})

test('Expand and float-to-float Cast pass gradients back to the input shape and type', async () => {
  await assertGradientsMatch({
    inputs: [f64('x', [3, 1])],
    forward: (graph) => graph.node('Expand', ['x', graph.initializer('shape', { datatype: 'INT64', shape: [3], data: BigInt64Array.of(2n, 3n, 4n) })])[0]!,
  })
  await assertGradientsMatch({
    inputs: [{ name: 'x', datatype: 'FP32', shape: [2, 3] }],
    forward: (graph) => graph.node('Cast', [graph.node('Mul', ['x', 'x'])[0]!], { attributes: { to: attr.int(11) } })[0]!,
    tolerance: 1e-4,
    eps: 1e-3,
  })
})
