import assert from 'node:assert/strict'
import { test } from 'node:test'
import ort from 'onnxruntime-node'
import { GraphBuilder, attr } from './onnx-builder.ts'
import { decodeModel } from './onnx-proto.ts'
import { readOnnxSignature } from './onnx-signature.ts'

test('builds a model whose graph, initializers, value_info and metadata read back', () => {
  const graph = new GraphBuilder('g')
  graph.input('x', 'FP32', [-1, 3])
  graph.initializer('w', { datatype: 'FP32', shape: [3, 2], data: new Float32Array(6) })
  const [product] = graph.node('MatMul', ['x', 'w'])
  graph.valueInfo(product!, 'FP32', [-1, 2])
  graph.node('Softmax', [product!], { outputs: ['y'], attributes: { axis: attr.int(-1) } })
  graph.output('y', 'FP32', [-1, 2])
  const bytes = graph.toBytes({ metadata: { labels: '["a","b"]' } })
  const model = decodeModel(bytes) as any
  assert.equal(model.graph.node.length, 2)
  assert.equal(model.graph.valueInfo[0].name, product)
  const signature = readOnnxSignature(bytes)
  assert.deepEqual(signature.inputs, [{ name: 'x', datatype: 'FP32', shape: [-1, 3] }])
  assert.equal(signature.metadata.labels, '["a","b"]')
  assert.equal(signature.opset, 17)
  assert.equal(signature.irVersion, 8)
})

test('exposes nodes, inputs, initializers and value types to graph passes', () => {
  const graph = new GraphBuilder('g')
  graph.input('x', 'FP32', [-1, 3])
  graph.initializer('b', { datatype: 'FP32', shape: [3], data: new Float32Array(3) })
  const [sum] = graph.node('Add', ['x', 'b'])
  assert.deepEqual(graph.nodes.map((node) => [node.opType, node.inputs, node.outputs]), [['Add', ['x', 'b'], [sum]]])
  assert.deepEqual(graph.typeOf('b'), { name: 'b', datatype: 'FP32', shape: [3] })
  assert.deepEqual(graph.typeOf('x')?.shape, [-1, 3])
  assert.equal(graph.typeOf(sum!), undefined)
  graph.setInitializer('b', { datatype: 'FP32', shape: [3], data: new Float32Array([1, 2, 3]) })
  assert.deepEqual([...(graph.initializers[0]!.data as Float32Array)], [1, 2, 3])
  assert.throws(() => graph.setInitializer('nope', { datatype: 'FP32', shape: [1], data: new Float32Array(1) }), /no initializer 'nope'/)
})

test('generated names never collide with given ones', () => {
  const graph = new GraphBuilder('g')
  graph.input('relu_0', 'FP32', [1])
  const [first] = graph.node('Relu', ['relu_0'])
  const [second] = graph.node('Relu', [first!])
  assert.notEqual(first, 'relu_0')
  assert.notEqual(first, second)
  assert.notEqual(graph.uniqueName('relu_0'), 'relu_0')
})

test('each dynamic dimension gets its own dim_param', () => {
  const graph = new GraphBuilder('g')
  graph.input('x', 'FP32', [-1, -1])
  graph.node('Identity', ['x'], { outputs: ['y'] })
  graph.output('y', 'FP32', [-1, -1])
  const model = decodeModel(graph.toBytes()) as any
  const dims = model.graph.input[0].type.tensorType.shape.dim.map((dim: any) => dim.dimParam)
  assert.equal(new Set(dims).size, 2)
})

test('a Loop with a subgraph body runs in onnxruntime', async () => {
  // sum = 0; for i in 0..M-1: sum += x  → sum = M * x
  const body = new GraphBuilder('body')
  body.input('i', 'INT64', [])
  body.input('cond_in', 'BOOL', [])
  body.input('sum_in', 'FP32', [2])
  body.node('Identity', ['cond_in'], { outputs: ['cond_out'] })
  body.node('Add', ['sum_in', 'x'], { outputs: ['sum_out'] })
  body.output('cond_out', 'BOOL', [])
  body.output('sum_out', 'FP32', [2])
  const graph = new GraphBuilder('loop')
  graph.input('M', 'INT64', [])
  graph.input('x', 'FP32', [2])
  graph.initializer('true', { datatype: 'BOOL', shape: [], data: new Uint8Array([1]) })
  graph.initializer('zero', { datatype: 'FP32', shape: [2], data: new Float32Array(2) })
  graph.node('Loop', ['M', 'true', 'zero'], { outputs: ['sum'], attributes: { body: attr.graph(body) } })
  graph.output('sum', 'FP32', [2])
  const session = await ort.InferenceSession.create(graph.toBytes())
  const result = await session.run({ M: new ort.Tensor('int64', BigInt64Array.of(3n), []), x: new ort.Tensor('float32', Float32Array.of(1, 2), [2]) })
  assert.deepEqual([...(result.sum!.data as Float32Array)], [3, 6])
  await session.release()
})
