import assert from 'node:assert/strict'
import { test } from 'node:test'
import { GraphBuilder, attr } from '../onnx/onnx-builder.ts'
import { staticPlan } from './broadcast-reduction.ts'
import { inferShapes } from './shape-inference.ts'
import { broadcastShapes } from './value-facts.ts'

const ints = (graph: GraphBuilder, name: string, values: number[]) =>
  graph.initializer(name, { datatype: 'INT64', shape: [values.length], data: BigInt64Array.from(values, BigInt) })

test('broadcasts static shapes and keeps dynamic dims dynamic unless the other side fixes them', () => {
  assert.deepEqual(broadcastShapes([[-1, 3], [3]]), [-1, 3])
  assert.deepEqual(broadcastShapes([[3, 1], [1, 4]]), [3, 4])
  assert.deepEqual(broadcastShapes([[-1, 1], [5, -1]]), [5, -1])
  assert.deepEqual(broadcastShapes([[], [2, 2]]), [2, 2])
})

test('infers a dense network with a dynamic batch, folding the constants of Reshape and OneHot', () => {
  const graph = new GraphBuilder('g')
  graph.input('x', 'FP32', [-1, 1, 8, 8])
  graph.input('labels', 'INT64', ['batch'])
  graph.initializer('w', { datatype: 'FP32', shape: [4, 1, 3, 3], data: new Float32Array(36) })
  const [conv] = graph.node('Conv', ['x', 'w'], { attributes: { strides: attr.ints([2, 2]), pads: attr.ints([1, 1, 1, 1]) } })
  const [pool, indices] = graph.node('MaxPool', [conv!], { outputs: 2, attributes: { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) } })
  const [flat] = graph.node('Reshape', [pool!, ints(graph, 'shape', [0, -1])])
  const [sum] = graph.node('ReduceSum', [flat!, ints(graph, 'axes', [1])], { attributes: { keepdims: attr.int(0) } })
  const [shape] = graph.node('Shape', ['w'], { attributes: { start: attr.int(1) } })
  const depth = graph.initializer('depth', { datatype: 'INT64', shape: [], data: BigInt64Array.of(10n) })
  const values = graph.initializer('values', { datatype: 'FP32', shape: [2], data: Float32Array.of(0, 1) })
  const [hot] = graph.node('OneHot', ['labels', depth, values])
  const [isOne] = graph.node('Equal', [hot!, hot!])
  const facts = inferShapes(graph)
  assert.deepEqual(facts.get(conv!)?.shape, [-1, 4, 4, 4])
  assert.deepEqual(facts.get(pool!)?.shape, [-1, 4, 2, 2])
  assert.equal(facts.get(indices!)?.datatype, 'INT64')
  assert.deepEqual(facts.get(flat!)?.shape, [-1, 16])
  assert.deepEqual(facts.get(sum!)?.shape, [-1])
  assert.deepEqual(facts.get(shape!)?.value, [1, 3, 3])
  assert.deepEqual(facts.get(hot!), { datatype: 'FP32', shape: [-1, 10] })
  assert.equal(facts.get(isOne!)?.datatype, 'BOOL')
})

test('infers MatMul with 1-D and batched operands, Gemm, Gather, Concat, Split, Squeeze/Unsqueeze, Transpose', () => {
  const graph = new GraphBuilder('g')
  graph.input('a', 'FP64', [2, -1, 3, 4])
  graph.input('v', 'FP64', [4])
  graph.input('m', 'FP64', [4, 5])
  graph.input('ids', 'INT64', [-1, 7])
  const [batched] = graph.node('MatMul', ['a', 'm'])
  const [vector] = graph.node('MatMul', ['a', 'v'])
  const [gemm] = graph.node('Gemm', ['m', 'm'], { attributes: { transA: attr.int(1) } })
  const [rows] = graph.node('Gather', ['m', 'ids'])
  const [joined] = graph.node('Concat', ['m', 'm'], { attributes: { axis: attr.int(-1) } })
  const parts = graph.node('Split', ['m', ints(graph, 'split', [1, 3])], { outputs: 2 })
  const [unsqueezed] = graph.node('Unsqueeze', ['m', ints(graph, 'axes', [0, -1])])
  const [squeezed] = graph.node('Squeeze', [unsqueezed!, ints(graph, 'axes2', [0])])
  const [transposed] = graph.node('Transpose', ['a'], { attributes: { perm: attr.ints([0, 2, 3, 1]) } })
  const facts = inferShapes(graph)
  assert.deepEqual(facts.get(batched!)?.shape, [2, -1, 3, 5])
  assert.deepEqual(facts.get(vector!)?.shape, [2, -1, 3])
  assert.deepEqual(facts.get(gemm!)?.shape, [5, 5])
  assert.deepEqual(facts.get(rows!)?.shape, [-1, 7, 5])
  assert.deepEqual(facts.get(joined!)?.shape, [4, 10])
  assert.deepEqual(parts.map((part) => facts.get(part)?.shape), [[1, 5], [3, 5]])
  assert.deepEqual(facts.get(unsqueezed!)?.shape, [1, 4, 5, 1])
  assert.deepEqual(facts.get(squeezed!)?.shape, [4, 5, 1])
  assert.deepEqual(facts.get(transposed!)?.shape, [2, 3, 4, -1])
  assert.equal(facts.get(batched!)?.datatype, 'FP64')
})

test('ops it does not know leave their outputs unknown, and value_info fills what inference cannot', () => {
  const graph = new GraphBuilder('g')
  graph.input('x', 'FP32', [2, 3])
  const [odd] = graph.node('NonMaxSuppression', ['x'])
  const [recorded] = graph.node('TopK', ['x'])
  graph.valueInfo(recorded!, 'FP32', [2, -1])
  const facts = inferShapes(graph)
  assert.deepEqual(facts.get(odd!), {})
  assert.deepEqual(facts.get(recorded!), { datatype: 'FP32', shape: [2, -1] })
})

test('the broadcast reduction is planned statically when a dynamic dim cannot have been broadcast', () => {
  assert.deepEqual(staticPlan([3], [[-1, 3]]), { leading: 1, kept: [] })
  assert.deepEqual(staticPlan([-1, 3], [[3]]), { leading: 0, kept: [] })
  assert.deepEqual(staticPlan([3, 1], [[1, 4]]), { leading: 0, kept: [1] })
  assert.equal(staticPlan([-1, 1], [[-1, 4]]), undefined)
  assert.equal(staticPlan(undefined, [[3]]), undefined)
})
