import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { test } from 'node:test'
import ort from 'onnxruntime-node'
import { GraphBuilder, attr } from '../onnx/onnx-builder.ts'
import { MissingGradientRuleError } from './autodiff-errors.ts'
import { appendBackward } from './backward.ts'
import { assertGradientsMatch, checkGradients, type CheckInput } from './gradient-check.ts'
import type { GradientRule } from './gradient-rule.ts'

const f64 = (name: string, shape: number[], extra: Partial<CheckInput> = {}): CheckInput => ({ name, datatype: 'FP64', shape, ...extra })

/** x·W1 + b1 → Relu → ·W2 + b2 → LogSoftmax → mean cross-entropy against OneHot(labels). */
function mlp(graph: GraphBuilder): string {
  const hidden = graph.node('Relu', [graph.node('Add', [graph.node('MatMul', ['x', 'w1'])[0]!, 'b1'])[0]!])[0]!
  const logits = graph.node('Add', [graph.node('MatMul', [hidden, 'w2'])[0]!, 'b2'])[0]!
  const logProbabilities = graph.node('LogSoftmax', [logits])[0]!
  const depth = graph.initializer('depth', { datatype: 'INT64', shape: [], data: BigInt64Array.of(3n) })
  // ORT has no OneHot kernel with double values: encode in float32, then cast.
  const values = graph.initializer('onehot_values', { datatype: 'FP32', shape: [2], data: Float32Array.of(0, 1) })
  const targets = graph.node('Cast', [graph.node('OneHot', ['labels', depth, values])[0]!], { attributes: { to: attr.int(11) } })[0]!
  const picked = graph.node('ReduceSum', [graph.node('Mul', [targets, logProbabilities])[0]!, graph.initializer('axis1', { datatype: 'INT64', shape: [1], data: BigInt64Array.of(1n) })], {
    attributes: { keepdims: attr.int(0) },
  })[0]!
  return graph.node('Neg', [graph.node('ReduceMean', [picked], { attributes: { keepdims: attr.int(0) } })[0]!])[0]!
}

const MLP_INPUTS: CheckInput[] = [
  f64('x', [4, 3], { declaredShape: [-1, 3], wrt: false }),
  { name: 'labels', datatype: 'INT64', shape: [4], declaredShape: [-1], data: BigInt64Array.of(0n, 2n, 1n, 2n) },
  f64('w1', [3, 5]),
  f64('b1', [5]),
  f64('w2', [5, 3]),
  f64('b2', [3]),
]

test('a small MLP with a OneHot cross-entropy loss: weight gradients match finite differences', async () => {
  await assertGradientsMatch({ inputs: MLP_INPUTS, forward: mlp })
})

test('the gradient graph passes the official ONNX checker (full_check) when python3-onnx is available', async (t) => {
  const python = ['python3', '/usr/bin/python3'].find((candidate) => spawnSync(candidate, ['-c', 'import onnx'], { stdio: 'ignore' }).status === 0)
  if (!python) return t.skip('python3 with the onnx package is not installed (apt-get install python3-onnx)')
  const { model } = await checkGradients({ inputs: MLP_INPUTS, forward: mlp })
  const folder = mkdtempSync(path.join(tmpdir(), 'autodiff-'))
  try {
    const file = path.join(folder, 'gradients.onnx')
    writeFileSync(file, model)
    const script = 'import onnx,sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)'
    const result = spawnSync(python, ['-c', script, file], { encoding: 'utf8' })
    assert.equal(result.status, 0, result.stderr)
  } finally {
    rmSync(folder, { recursive: true, force: true })
  }
})

test('an op without a rule on the path from a wrt value fails with an error naming the op, node and value', () => {
  const graph = new GraphBuilder('g')
  graph.input('x', 'FP32', [2, 2])
  graph.initializer('dense_0/kernel', { datatype: 'FP32', shape: [2, 2], data: new Float32Array(4) })
  const product = graph.node('MatMul', ['x', 'dense_0/kernel'])[0]!
  const odd = graph.node('Sin', [product])[0]!
  const loss = graph.node('ReduceSum', [odd], { attributes: { keepdims: attr.int(0) } })[0]!
  graph.valueInfo(loss, 'FP32', [])
  assert.throws(
    () => appendBackward(graph, loss, ['dense_0/kernel']),
    (error: unknown) =>
      error instanceof MissingGradientRuleError &&
      error.code === 'UNIMPLEMENTED' &&
      error.message === "no gradient rule for op 'Sin' (node Sin_1) on the path from 'dense_0/kernel' to the loss",
  )
})

test('only nodes on a path from a wrt value to the loss are differentiated (unsupported ops elsewhere are fine)', async () => {
  await assertGradientsMatch({
    inputs: [f64('w', [2, 3]), f64('z', [2, 3], { wrt: false })],
    forward: (graph) => {
      const offPath = graph.node('Sin', ['z'])[0]! // reaches the loss, but not from w
      graph.node('Cos', ['w']) // from w, but never reaches the loss
      return graph.node('Mul', ['w', offPath])[0]!
    },
  })
})

test('a value used several times gets the sum of its gradients (Sum node)', async () => {
  const report = await assertGradientsMatch({
    inputs: [f64('x', [2, 3])],
    forward: (graph) => graph.node('Add', [graph.node('Mul', ['x', 'x'])[0]!, graph.node('Tanh', ['x'])[0]!])[0]!,
  })
  assert.ok(report.worst < 1e-6)
})

test('a wrt value that does not reach the loss gets zeros of its shape, or an error when asked', async () => {
  const build = () => {
    const graph = new GraphBuilder('g')
    graph.input('x', 'FP32', [-1, 3])
    graph.input('unused', 'FP32', [-1, 2])
    const loss = graph.node('ReduceSum', ['x'], { attributes: { keepdims: attr.int(0) } })[0]!
    graph.valueInfo(loss, 'FP32', [])
    return { graph, loss }
  }
  const { graph, loss } = build()
  const gradients = appendBackward(graph, loss, ['x', 'unused'])
  assert.equal(gradients.get('unused'), 'grad/unused')
  graph.output('grad/unused', 'FP32', [-1, 2])
  const session = await ort.InferenceSession.create(graph.toBytes(), { intraOpNumThreads: 1 })
  const result = await session.run({
    x: new ort.Tensor('float32', new Float32Array(6), [2, 3]),
    unused: new ort.Tensor('float32', new Float32Array(8).fill(3), [4, 2]),
  })
  assert.deepEqual(result['grad/unused']!.dims, [4, 2])
  assert.deepEqual([...(result['grad/unused']!.data as Float32Array)], new Array(8).fill(0))
  await session.release()
  const again = build()
  assert.throws(() => appendBackward(again.graph, again.loss, ['unused'], { unconnected: 'error' }), /'unused' does not reach the loss/)
})

test('rejects a non-scalar loss, an integer loss and an unknown wrt value', () => {
  const graph = new GraphBuilder('g')
  graph.input('x', 'FP32', [2, 3])
  graph.input('i', 'INT64', [])
  assert.throws(() => appendBackward(graph, 'x', ['x']), /must be a scalar/)
  assert.throws(() => appendBackward(graph, 'i', ['x']), /it must be a float scalar/)
  graph.input('s', 'FP32', [])
  assert.throws(() => appendBackward(graph, 's', ['nope']), /'nope' is not a value/)
})

test('custom rules extend the registry, and the gradient check catches a wrong rule', async () => {
  const wrongTanh: GradientRule = { differentiableInputs: [0], backward: (_node, [dy]) => [dy] }
  const report = await checkGradients({
    inputs: [f64('x', [2, 3])],
    forward: (graph) => graph.node('Tanh', ['x'])[0]!,
    backward: { rules: new Map([['Tanh', wrongTanh]]) },
  })
  assert.ok(report.worst > 1e-2, `the wrong rule went unnoticed: ${report.worst}`)
  const cosine: GradientRule = {
    differentiableInputs: [0],
    backward: (node, [dy], context) => [context.op('Mul', [dy!, context.op('Neg', [context.op('Sin', [node.inputs[0]!])])])],
  }
  await assertGradientsMatch({ inputs: [f64('x', [2, 3])], forward: (graph) => graph.node('Cos', ['x'])[0]!, backward: { rules: new Map([['Cos', cosine]]) } })
})
