import assert from 'node:assert/strict'
import { test } from 'node:test'
import { GraphBuilder } from '../../onnx/onnx-builder.ts'
import { assertClose, runGraph } from './compile-test-support.ts'
import { emitLoss, parseLoss, type LossConfig } from './losses.ts'
import { emitMetric, parseMetric } from './metrics.ts'

const logits = [[2, 1, 0.1], [0.5, 2.5, -1]]
const softmax = (row: number[]) => {
  const max = Math.max(...row)
  const exps = row.map((value) => Math.exp(value - max))
  const sum = exps.reduce((a, b) => a + b, 0)
  return exps.map((value) => value / sum)
}
const probabilities = logits.map(softmax)
const labels = [0, 2]
const oneHot = labels.map((label) => [0, 1, 2].map((index) => (index === label ? 1 : 0)))

async function evaluate(config: LossConfig, prediction: number[][], target: number[][] | number[]): Promise<number> {
  const graph = new GraphBuilder('loss')
  graph.input('prediction', 'FP32', [-1, 3])
  const sparse = config.name === 'sparse_categorical_crossentropy'
  graph.input('target', sparse ? 'INT64' : 'FP32', sparse ? [-1] : [-1, 3])
  graph.node('Identity', [emitLoss(graph, config, { prediction: 'prediction', target: 'target', classes: 3 })], { outputs: ['loss'] })
  graph.output('loss', 'FP32', [])
  const out = await runGraph(graph, {
    prediction: { data: Float32Array.from(prediction.flat()), shape: [2, 3] },
    target: sparse ? { data: BigInt64Array.from((target as number[]).map(BigInt)), shape: [2] } : { data: Float32Array.from((target as number[][]).flat()), shape: [2, 3] },
  })
  assert.equal(out.loss!.length, 1, 'the loss is a scalar')
  return out.loss![0]!
}

const crossEntropy = -(Math.log(probabilities[0]![0]!) + Math.log(probabilities[1]![2]!)) / 2

test('sparse categorical cross-entropy from logits and from probabilities', async () => {
  assertClose([await evaluate({ name: 'sparse_categorical_crossentropy', fromLogits: true }, logits, labels)], [crossEntropy])
  assertClose([await evaluate({ name: 'sparse_categorical_crossentropy', fromLogits: false }, probabilities, labels)], [crossEntropy])
})

test('categorical cross-entropy with one-hot targets', async () => {
  assertClose([await evaluate({ name: 'categorical_crossentropy', fromLogits: true }, logits, oneHot)], [crossEntropy])
})

test('binary cross-entropy, MSE, MAE and KL divergence match their formulas', async () => {
  const p = [[0.9, 0.2, 0.6], [0.1, 0.7, 0.5]]
  const y = [[1, 0, 1], [0, 1, 0]]
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length
  const flat = (rows: number[][]) => rows.flat()
  const bce = -mean(flat(p).map((value, i) => flat(y)[i]! * Math.log(value) + (1 - flat(y)[i]!) * Math.log(1 - value)))
  assertClose([await evaluate({ name: 'binary_crossentropy', fromLogits: false }, p, y)], [bce])
  const logitsOf = p.map((row) => row.map((value) => Math.log(value / (1 - value))))
  assertClose([await evaluate({ name: 'binary_crossentropy', fromLogits: true }, logitsOf, y)], [bce], 1e-5)
  assertClose([await evaluate({ name: 'mean_squared_error', fromLogits: false }, p, y)], [mean(flat(p).map((value, i) => (value - flat(y)[i]!) ** 2))])
  assertClose([await evaluate({ name: 'mean_absolute_error', fromLogits: false }, p, y)], [mean(flat(p).map((value, i) => Math.abs(value - flat(y)[i]!)))])
  const kl = mean(probabilities.map((row, r) => row.reduce((sum, value, i) => sum + Math.max(oneHot[r]![i]!, 1e-7) * Math.log(Math.max(oneHot[r]![i]!, 1e-7) / value), 0)))
  assertClose([await evaluate({ name: 'kl_divergence', fromLogits: false }, probabilities, oneHot)], [kl], 1e-4)
})

test('accuracy and top-k accuracy', async () => {
  const graph = new GraphBuilder('metrics')
  graph.input('prediction', 'FP32', [-1, 3])
  graph.input('target', 'INT64', [-1])
  const loss = { name: 'sparse_categorical_crossentropy', fromLogits: true } as const
  graph.node('Identity', [emitMetric(graph, { name: 'accuracy' }, loss, 'prediction', 'target')], { outputs: ['accuracy'] })
  graph.node('Identity', [emitMetric(graph, { name: 'top_k_accuracy', k: 2 }, loss, 'prediction', 'target')], { outputs: ['top2'] })
  graph.output('accuracy', 'FP32', [])
  graph.output('top2', 'FP32', [])
  // row 0: argmax 0 (label 0: hit); row 1: argmax 1, label 2 is third → miss for top-1 and top-2
  const out = await runGraph(graph, { prediction: { data: Float32Array.from(logits.flat()), shape: [2, 3] }, target: { data: BigInt64Array.from([0n, 2n]), shape: [2] } })
  assertClose(out.accuracy!, [0.5])
  assertClose(out.top2!, [0.5])
})

test('loss and metric names parse with Keras aliases and clear errors', () => {
  assert.deepEqual(parseLoss('mse'), { name: 'mean_squared_error', fromLogits: false })
  assert.deepEqual(parseLoss({ name: 'sparse_categorical_crossentropy', from_logits: true }), { name: 'sparse_categorical_crossentropy', fromLogits: true })
  assert.throws(() => parseLoss('hinge'), /loss 'hinge' is not known/)
  assert.deepEqual(parseMetric('acc'), { name: 'accuracy' })
  assert.deepEqual(parseMetric({ name: 'top_k_accuracy', k: 3 }), { name: 'top_k_accuracy', k: 3 })
  assert.throws(() => parseMetric('auc'), /metric 'auc' is not known/)
})
