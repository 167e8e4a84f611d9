import assert from 'node:assert/strict'
import { test } from 'node:test'
import ort from 'onnxruntime-node'
import { attr, type GraphBuilder } from '../../onnx/onnx-builder.ts'
import { assertClose } from './compile-test-support.ts'
import { FEED, compileTrainingGraph, type ForwardEmitter } from './training-graph.ts'

/** softmax(x W + b): a linear classifier with 4 features and 3 classes. */
const linearSoftmax: ForwardEmitter = (graph: GraphBuilder, x: string) => {
  graph.input('W', 'FP32', [4, 3])
  graph.input('b', 'FP32', [3])
  const [product] = graph.node('MatMul', [x, 'W'])
  const [logits] = graph.node('Add', [product!, 'b'])
  const [prediction] = graph.node('Softmax', [logits!], { attributes: { axis: attr.int(-1) } })
  return { prediction: prediction!, logits: logits!, parameters: [{ name: 'W', shape: [4, 3] }, { name: 'b', shape: [3] }], state: [] }
}

const X = [
  [1, 0, 0.5, -1],
  [0, 1, -0.5, 2],
  [0.3, 0.3, 0.3, 0.3],
  [-1, 2, 0, 1],
]
const LABELS = [0, 2, 1, 2]
const W0 = [0.1, -0.2, 0.3, 0.0, 0.2, -0.1, -0.3, 0.1, 0.05, 0.2, 0.0, -0.2]

/** Closed-form SGD step of softmax regression: dW = X^T (p - onehot) / B, db = mean(p - onehot). */
function referenceSgd(w: number[], b: number[], lr: number): { w: number[]; b: number[]; loss: number } {
  let loss = 0
  const dW = new Array(12).fill(0)
  const db = [0, 0, 0]
  X.forEach((row, r) => {
    const logits = [0, 1, 2].map((c) => row.reduce((sum, value, f) => sum + value * w[f * 3 + c]!, 0) + b[c]!)
    const max = Math.max(...logits)
    const exps = logits.map((value) => Math.exp(value - max))
    const total = exps.reduce((a, e) => a + e, 0)
    const p = exps.map((value) => value / total)
    loss -= Math.log(p[LABELS[r]!]!) / X.length
    p.forEach((value, c) => {
      const delta = (value - (c === LABELS[r] ? 1 : 0)) / X.length
      db[c]! += delta
      row.forEach((feature, f) => (dW[f * 3 + c] += feature * delta))
    })
  })
  return { w: w.map((value, i) => value - lr * dW[i]!), b: b.map((value, i) => value - lr * db[i]!), loss }
}

/** The four samples as the training set, every one of M steps taking all four (in reverse order: the rows are gathered). */
function datasetFeeds(M: number): Record<string, ort.Tensor> {
  return {
    x: new ort.Tensor('float32', Float32Array.from(X.flat()), [4, 4]),
    y: new ort.Tensor('int32', Int32Array.from(LABELS), [4]),
    batches: new ort.Tensor('int32', Int32Array.from({ length: M * 4 }, (_, index) => 3 - (index % 4)), [M, 4]),
  }
}

async function run(M: number, graphBytes: Uint8Array, w: number[], b: number[], step: number, lr: number) {
  const session = await ort.InferenceSession.create(graphBytes, { intraOpNumThreads: 1 })
  const result = await session.run({
    ...datasetFeeds(M),
    learning_rates: new ort.Tensor('float32', new Float32Array(M).fill(lr), [M]),
    step: new ort.Tensor('float32', Float32Array.of(step), []),
    [`${FEED}W`]: new ort.Tensor('float32', Float32Array.from(w), [4, 3]),
    [`${FEED}b`]: new ort.Tensor('float32', Float32Array.from(b), [3]),
  })
  await session.release()
  return result
}

test('a compiled SGD step matches the closed-form gradient of softmax regression, and M steps in one call equal M calls', async () => {
  const training = compileTrainingGraph(linearSoftmax, {
    sampleShape: [4],
    target: { kind: 'sparse', classes: 3 },
    loss: { name: 'sparse_categorical_crossentropy', fromLogits: false },
    metrics: [{ name: 'accuracy' }],
    optimizer: { name: 'sgd' },
  })
  let reference = { w: W0, b: [0, 0, 0], loss: 0 }
  const losses: number[] = []
  for (let step = 0; step < 3; step++) {
    reference = referenceSgd(reference.w, reference.b, 0.5)
    losses.push(reference.loss)
  }
  const three = await run(3, training.bytes, W0, [0, 0, 0], 1, 0.5)
  assertClose(Array.from(three.losses!.data as Float32Array), losses, 1e-5, 'losses')
  assertClose(Array.from(three[training.outputs.parameters[0]!]!.data as Float32Array), reference.w, 1e-5, 'W after 3 steps')
  assertClose(Array.from(three[training.outputs.parameters[1]!]!.data as Float32Array), reference.b, 1e-5, 'b after 3 steps')
  assert.deepEqual(Array.from(three.step__next!.data as Float32Array), [4])
  assert.equal((three[training.outputs.metrics[0]!]!.data as Float32Array).length, 3)

  let w = W0
  let b = [0, 0, 0]
  for (let step = 1; step <= 3; step++) {
    const one = await run(1, training.bytes, w, b, step, 0.5)
    w = Array.from(one[training.outputs.parameters[0]!]!.data as Float32Array)
    b = Array.from(one[training.outputs.parameters[1]!]!.data as Float32Array)
  }
  assertClose(w, reference.w, 1e-5, 'W after 3 calls')
})

test('Adam slots are carried across the steps of a call', async () => {
  const training = compileTrainingGraph(linearSoftmax, {
    sampleShape: [4],
    target: { kind: 'sparse', classes: 3 },
    loss: { name: 'sparse_categorical_crossentropy', fromLogits: false },
    metrics: [],
    optimizer: { name: 'adam', learningRate: 0.1 },
    clipNorm: 1,
  })
  assert.deepEqual(training.slots.map((slot) => slot.name), ['W/m_sum', 'W/v_sum', 'b/m_sum', 'b/v_sum'])
  const session = await ort.InferenceSession.create(training.bytes, { intraOpNumThreads: 1 })
  const M = 20
  const feeds: Record<string, ort.Tensor> = {
    ...datasetFeeds(M),
    learning_rates: new ort.Tensor('float32', new Float32Array(M).fill(0.1), [M]),
    step: new ort.Tensor('float32', Float32Array.of(1), []),
    [`${FEED}W`]: new ort.Tensor('float32', Float32Array.from(W0), [4, 3]),
    [`${FEED}b`]: new ort.Tensor('float32', new Float32Array(3), [3]),
  }
  for (const slot of training.slots) feeds[`${FEED}${slot.name}`] = new ort.Tensor('float32', new Float32Array(slot.shape.reduce((a, d) => a * d, 1)), slot.shape as number[])
  const result = await session.run(feeds)
  await session.release()
  const losses = Array.from(result.losses!.data as Float32Array)
  assert.ok(losses[M - 1]! < losses[0]! * 0.5, `loss fell from ${losses[0]} to ${losses[M - 1]}`)
  const secondMoment = result[training.outputs.slots[1]!]!.data as Float32Array
  assert.ok(secondMoment.some((value) => value > 0), 'the v slot was carried and updated')
})
