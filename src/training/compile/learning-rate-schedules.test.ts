import assert from 'node:assert/strict'
import { test } from 'node:test'
import { GraphBuilder } from '../../onnx/onnx-builder.ts'
import { assertClose, runGraph } from './compile-test-support.ts'
import { emitClipByGlobalNorm } from './gradient-clipping.ts'
import { learningRateAt, parseLearningRateSchedule } from './learning-rate-schedules.ts'

test('step, exponential and cosine schedules follow Keras', () => {
  assert.equal(learningRateAt({ name: 'constant' }, 0.1, 500), 0.1)
  assert.equal(learningRateAt({ name: 'step', stepSize: 10, factor: 0.5 }, 0.1, 25), 0.025)
  assertClose([learningRateAt({ name: 'exponential', decaySteps: 10, decayRate: 0.5 }, 0.1, 5)], [0.1 * 0.5 ** 0.5])
  assert.equal(learningRateAt({ name: 'exponential', decaySteps: 10, decayRate: 0.5, staircase: true }, 0.1, 15), 0.05)
  assertClose([learningRateAt({ name: 'cosine', decaySteps: 100 }, 0.1, 50)], [0.05])
  assertClose([learningRateAt({ name: 'cosine', decaySteps: 100, alpha: 0.1 }, 0.1, 1000)], [0.01])
  assert.throws(() => parseLearningRateSchedule({ name: 'cosine', decaySteps: 0 }), /'decaySteps' must be a positive number/)
  assert.throws(() => parseLearningRateSchedule({ name: 'warmup' }), /'warmup' is not known/)
})

test('clipping by global norm scales every gradient by clip / norm, and leaves small ones alone', async () => {
  const graph = new GraphBuilder('clip')
  graph.input('a', 'FP32', [2])
  graph.input('b', 'FP32', [2, 1])
  const [a, b] = emitClipByGlobalNorm(graph, ['a', 'b'], 1)
  graph.node('Identity', [a!], { outputs: ['a_out'] })
  graph.node('Identity', [b!], { outputs: ['b_out'] })
  graph.output('a_out', 'FP32', [2])
  graph.output('b_out', 'FP32', [2, 1])
  // norm of (3, 4, 0, 0) is 5: scaled by 1/5; the shapes stay as they were
  const big = await runGraph(graph, { a: { data: Float32Array.of(3, 4), shape: [2] }, b: { data: Float32Array.of(0, 0), shape: [2, 1] } })
  assertClose(big.a_out!, [0.6, 0.8])
  assert.equal(big.b_out!.length, 2)
  const small = await runGraph(graph, { a: { data: Float32Array.of(0.3, 0.4), shape: [2] }, b: { data: Float32Array.of(0, 0), shape: [2, 1] } })
  assertClose(small.a_out!, [0.3, 0.4])
})
