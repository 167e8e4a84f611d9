import assert from 'node:assert/strict'
import { test } from 'node:test'
import { GraphBuilder, attr } from '../../onnx/onnx-builder.ts'
import { appendBackward } from '../backward.ts'
import { assertGradientsMatch } from '../gradient-check.ts'

const half = (graph: GraphBuilder) => graph.initializer(graph.uniqueName('half'), { datatype: 'FP64', shape: [], data: Float64Array.of(0.5) })
const labels = (shape: number[], values: bigint[]) => ({ name: 'labels', datatype: 'INT64' as const, shape, data: BigInt64Array.from(values) })

test('SoftmaxCrossEntropyLoss (mean) over [N, C] with a dynamic batch, as the sparse loss uses it', async () => {
  await assertGradientsMatch({
    inputs: [{ name: 'scores', datatype: 'FP64', shape: [4, 5], declaredShape: [-1, 5] }, labels([4], [0n, 4n, 2n, 2n])],
    forward: (graph) => graph.node('SoftmaxCrossEntropyLoss', ['scores', 'labels'], { attributes: { reduction: attr.string('mean') } })[0]!,
  })
})

test('SoftmaxCrossEntropyLoss (none) over [N, C, d] with unknown classes, and (sum) with log_prob also used', async () => {
  await assertGradientsMatch({
    inputs: [{ name: 'scores', datatype: 'FP64', shape: [3, 4, 2], declaredShape: [-1, -1, 2] }, labels([3, 2], [0n, 3n, 1n, 1n, 2n, 0n])],
    forward: (graph) => {
      const [loss] = graph.node('SoftmaxCrossEntropyLoss', ['scores', 'labels'], { attributes: { reduction: attr.string('none') } })
      return graph.node('Mul', [loss!, half(graph)])[0]!
    },
  })
  await assertGradientsMatch({
    inputs: [{ name: 'scores', datatype: 'FP64', shape: [2, 3] }, labels([2], [1n, 2n])],
    forward: (graph) => {
      const [loss, logProb] = graph.node('SoftmaxCrossEntropyLoss', ['scores', 'labels'], { outputs: ['loss', 'log_prob'], attributes: { reduction: attr.string('sum') } })
      const weighted = graph.node('Mul', [logProb!, half(graph)])[0]!
      return graph.node('Add', [loss!, graph.node('ReduceSum', [weighted], { attributes: { keepdims: attr.int(0) } })[0]!])[0]!
    },
  })
})

test('SoftmaxCrossEntropyLoss with class weights or ignore_index is refused, naming the node', () => {
  const graph = new GraphBuilder('weighted')
  graph.input('scores', 'FP32', [2, 3])
  graph.input('labels', 'INT64', [2])
  graph.input('weights', 'FP32', [3])
  const [loss] = graph.node('SoftmaxCrossEntropyLoss', ['scores', 'labels', 'weights'])
  assert.throws(() => appendBackward(graph, loss!, ['scores']), /SoftmaxCrossEntropyLoss.*class weights are not supported/)
  const ignoring = new GraphBuilder('ignoring')
  ignoring.input('scores', 'FP32', [2, 3])
  ignoring.input('labels', 'INT64', [2])
  const [ignored] = ignoring.node('SoftmaxCrossEntropyLoss', ['scores', 'labels'], { attributes: { ignore_index: attr.int(0) } })
  assert.throws(() => appendBackward(ignoring, ignored!, ['scores']), /SoftmaxCrossEntropyLoss.*ignore_index is not supported/)
})
