import { test } from 'node:test'
import { attr } from '../../onnx/onnx-builder.ts'
import { assertGradientsMatch, type CheckInput } from '../gradient-check.ts'

const f64 = (name: string, shape: number[], declaredShape?: (number | string)[]): CheckInput => ({
  name, datatype: 'FP64', shape, ...(declaredShape ? { declaredShape } : {}),
})

test('MatMul: 2-D, batched N-D, broadcast batch and 1-D operands match finite differences', async () => {
  const cases: [number[], number[]][] = [
    [[3, 4], [4, 2]],
    [[2, 3, 4], [2, 4, 5]],
    [[2, 3, 4], [4, 5]],
    [[3, 4], [2, 4, 5]],
    [[2, 1, 3, 4], [3, 4, 2]],
    [[4], [4, 3]],
    [[2, 3, 4], [4]],
    [[4], [4]],
  ]
  for (const [a, b] of cases) {
    await assertGradientsMatch({ inputs: [f64('a', a), f64('b', b)], forward: (graph) => graph.node('MatMul', ['a', 'b'])[0]! })
  }
})

test('MatMul: a dynamic batch dimension on the left operand', async () => {
  await assertGradientsMatch({
    inputs: [f64('a', [3, 2, 4], [-1, -1, 4]), f64('b', [4, 2])],
    forward: (graph) => graph.node('MatMul', ['a', 'b'])[0]!,
  })
})

test('Gemm: every transA/transB combination with alpha, beta and a broadcast C', async () => {
  for (const transA of [0, 1]) {
    for (const transB of [0, 1]) {
      await assertGradientsMatch({
        inputs: [f64('a', transA ? [4, 3] : [3, 4]), f64('b', transB ? [2, 4] : [4, 2]), f64('c', [2])],
        forward: (graph) =>
          graph.node('Gemm', ['a', 'b', 'c'], {
            attributes: { transA: attr.int(transA), transB: attr.int(transB), alpha: attr.float(0.7), beta: attr.float(1.5) },
          })[0]!,
      })
    }
  }
  await assertGradientsMatch({ inputs: [f64('a', [3, 4], [-1, 4]), f64('b', [4, 2])], forward: (graph) => graph.node('Gemm', ['a', 'b'])[0]! })
})
