import assert from 'node:assert/strict'
import { test } from 'node:test'
import { GraphBuilder, attr, type Attribute } from '../../onnx/onnx-builder.ts'
import { appendBackward } from '../backward.ts'
import { assertGradientsMatch, type CheckInput } from '../gradient-check.ts'

// ORT's CPU Conv/ConvTranspose are float32-only: checked in float32 with the default tolerance.
const f32 = (name: string, shape: number[], declaredShape?: (number | string)[]): CheckInput => ({
  name, datatype: 'FP32', shape, ...(declaredShape ? { declaredShape } : {}),
})

async function checkConv(xShape: number[], wShape: number[], attributes: Record<string, Attribute>, declaredX?: (number | string)[]) {
  await assertGradientsMatch({
    inputs: [f32('x', xShape, declaredX), f32('w', wShape), f32('b', [wShape[0]!])],
    forward: (graph) => graph.node('Conv', ['x', 'w', 'b'], { attributes })[0]!,
  })
}

test('Conv: plain 3x3 and stride 2 with an uneven size (output_padding restores X)', async () => {
  await checkConv([2, 2, 5, 5], [3, 2, 3, 3], {})
  await checkConv([1, 2, 6, 5], [2, 2, 3, 2], { strides: attr.ints([2, 2]), pads: attr.ints([1, 0, 0, 1]) })
})

test('Conv: SAME_UPPER padding, dilation 2, and groups', async () => {
  await checkConv([1, 2, 5, 4], [2, 2, 3, 3], { auto_pad: attr.string('SAME_UPPER'), strides: attr.ints([2, 1]) })
  await checkConv([1, 2, 6, 6], [2, 2, 2, 2], { dilations: attr.ints([2, 2]), pads: attr.ints([1, 1, 1, 1]) })
  await checkConv([2, 4, 4, 4], [6, 2, 2, 2], { group: attr.int(2), strides: attr.ints([2, 2]) })
})

test('Conv: 1-D, and dynamic batch and spatial sizes (ConvTranspose output cut at run time)', async () => {
  await checkConv([2, 2, 7], [3, 2, 3], { strides: attr.ints([2]), pads: attr.ints([1, 1]) })
  await checkConv([2, 2, 6, 5], [2, 2, 3, 3], { strides: attr.ints([2, 2]) }, [-1, 2, -1, -1])
})

test('Conv dW by per-tap GEMMs (static sizes): 3-D, 1x1, and stride with dilation and asymmetric padding', async () => {
  await checkConv([1, 2, 4, 3, 4], [2, 2, 2, 1, 2], { pads: attr.ints([1, 0, 0, 0, 1, 1]) })
  await checkConv([2, 3, 3, 3], [4, 3, 1, 1], {})
  await checkConv([1, 2, 7, 6], [3, 2, 2, 3], { strides: attr.ints([2, 1]), dilations: attr.ints([2, 1]), pads: attr.ints([0, 2, 1, 0]) })
})

test('Conv dW by correlation (dynamic spatial sizes): strides, padding and dilation', async () => {
  await checkConv([1, 2, 6, 5], [2, 2, 3, 2], { strides: attr.ints([2, 2]), pads: attr.ints([1, 0, 0, 1]) }, [1, 2, -1, -1])
  await checkConv([1, 2, 7, 6], [3, 2, 2, 3], { strides: attr.ints([2, 1]), dilations: attr.ints([2, 1]), pads: attr.ints([0, 2, 1, 0]) }, [-1, 2, -1, -1])
})

test('Conv dW uses per-tap GEMMs for static ungrouped Convs, the correlation otherwise', () => {
  const backwardOps = (xShape: (number | string)[], wShape: number[], attributes: Record<string, Attribute>) => {
    const graph = new GraphBuilder('g')
    graph.input('x', 'FP32', xShape)
    graph.input('w', 'FP32', wShape)
    const y = graph.node('Conv', ['x', 'w'], { attributes })[0]!
    const loss = graph.node('ReduceSum', [y], { attributes: { keepdims: attr.int(0) } })[0]!
    const forwardCount = graph.nodes.length
    appendBackward(graph, loss, ['w'])
    return graph.nodes.slice(forwardCount).map((node) => node.opType)
  }
  const taps = backwardOps([2, 3, 6, 6], [4, 3, 3, 3], {})
  assert.equal(taps.filter((op) => op === 'MatMul').length, 9)
  assert.ok(!taps.includes('Conv'))
  assert.ok(backwardOps([2, 3, 'h', 'w'], [4, 3, 3, 3], {}).includes('Conv'))
  assert.ok(backwardOps([2, 4, 6, 6], [4, 2, 3, 3], { group: attr.int(2) }).includes('Conv'))
})
