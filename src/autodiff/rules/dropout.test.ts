import assert from 'node:assert/strict'
import { test } from 'node:test'
import ort from 'onnxruntime-node'
import { GraphBuilder, attr } from '../../onnx/onnx-builder.ts'
import { appendBackward } from '../backward.ts'
import { assertGradientsMatch } from '../gradient-check.ts'

test('Dropout in inference mode (no training_mode input) passes the gradient through', async () => {
  await assertGradientsMatch({ inputs: [{ name: 'x', datatype: 'FP64', shape: [3, 4] }], forward: (graph) => graph.node('Dropout', ['x'])[0]! })
})

// The mask is random per run, so finite differences cannot be used: the gradient of
// ReduceSum(Dropout(x) · r) must be r · mask / (1 − ratio), checked against the mask of the same run.
test('Dropout in training mode: dX = dY · mask / (1 − ratio), with training_mode constant or fed', async () => {
  for (const fedMode of [false, true]) {
    const graph = new GraphBuilder('dropout')
    graph.input('x', 'FP32', [4, 5])
    const ratio = graph.initializer('ratio', { datatype: 'FP32', shape: [], data: Float32Array.of(0.25) })
    const training = fedMode ? graph.input('training', 'BOOL', []) : graph.initializer('training', { datatype: 'BOOL', shape: [], data: Uint8Array.of(1) })
    const [y, mask] = graph.node('Dropout', ['x', ratio, training], { outputs: 2 })
    const r = graph.initializer('r', { datatype: 'FP32', shape: [4, 5], data: Float32Array.from({ length: 20 }, (_, i) => i - 7) })
    const loss = graph.node('ReduceSum', [graph.node('Mul', [y!, r])[0]!], { attributes: { keepdims: attr.int(0) } })[0]!
    graph.valueInfo(loss, 'FP32', [])
    const gradient = appendBackward(graph, loss, ['x']).get('x')!
    graph.output(gradient, 'FP32', [4, 5])
    graph.output(mask!, 'BOOL', [4, 5])
    const session = await ort.InferenceSession.create(graph.toBytes(), { intraOpNumThreads: 1 })
    const feeds: Record<string, ort.Tensor> = { x: new ort.Tensor('float32', new Float32Array(20).fill(1), [4, 5]) }
    for (const mode of fedMode ? [true, false] : [true]) {
      if (fedMode) feeds.training = new ort.Tensor('bool', Uint8Array.of(mode ? 1 : 0), [])
      const result = await session.run(feeds)
      const masks = result[mask!]!.data as Uint8Array
      const expected = Array.from({ length: 20 }, (_, i) => (mode ? (masks[i] ? (i - 7) / 0.75 : 0) : i - 7))
      assert.deepEqual([...(result[gradient]!.data as Float32Array)].map((v) => Math.round(v * 1e4) / 1e4 + 0), expected.map((v) => Math.round(v * 1e4) / 1e4 + 0))
    }
    await session.release()
  }
})

test('training-mode Dropout without a mask output is refused with a clear error', () => {
  const graph = new GraphBuilder('dropout')
  graph.input('x', 'FP32', [4])
  const training = graph.initializer('training', { datatype: 'BOOL', shape: [], data: Uint8Array.of(1) })
  const [y] = graph.node('Dropout', ['x', '', training])
  const loss = graph.node('ReduceSum', [y!], { attributes: { keepdims: attr.int(0) } })[0]!
  assert.throws(() => appendBackward(graph, loss, ['x']), /Dropout.*needs its mask output/)
})
