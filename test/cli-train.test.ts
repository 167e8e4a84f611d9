import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { loadNamedDataset } from '../src/training/datasets/named-datasets.ts'
import { postJson, startTestServer } from './support/test-server.ts'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const work = mkdtempSync(path.join(os.tmpdir(), 'maas-train-'))
after(() => rmSync(work, { recursive: true, force: true }))

function maas(...args: string[]) {
  return spawnSync(process.execPath, ['bin/maas.js', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, MAAS_DATA_DIR: path.join(work, 'data') } })
}

test('maas train --json prints one object per epoch and a summary, and writes a model the server serves', async () => {
  const repository = path.join(work, 'repo')
  const result = maas('train', '--model', 'seed-mlp', '--dataset', 'mnist-small', '--epochs', '2', '--json', '--out', path.join(repository, 'digits', '1'))
  assert.equal(result.status, 0, result.stderr)
  const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line))
  assert.deepEqual(lines.slice(0, 2).map((line) => line.epoch), [1, 2])
  assert.equal(typeof lines[0].accuracy, 'number')
  const summary = lines[2]
  assert.ok(summary.test_accuracy > 0.88, `test accuracy ${summary.test_accuracy}`)
  assert.equal(summary.epochs, 2)
  assert.ok(summary.samples_per_second > 0)
  for (const file of ['model.onnx', 'model.json', 'history.json']) assert.ok(existsSync(path.join(repository, 'digits', '1', file)), file)
  assert.equal(JSON.parse(readFileSync(path.join(repository, 'digits', '1', 'model.json'), 'utf8')).class_name, 'Sequential')

  const server = await startTestServer({}, repository)
  try {
    const { test: digits } = await loadNamedDataset('mnist-small', {})
    const count = 20
    const response = await postJson(`${server.url}/v2/models/digits/infer`, {
      inputs: [{ name: 'input', datatype: 'FP32', shape: [count, 28, 28], data: Array.from(digits.x.subarray(0, count * 784), (value) => value / 255) }],
    })
    assert.equal(response.status, 200, JSON.stringify(response.body))
    const probabilities: number[] = response.body.outputs[0].data
    let correct = 0
    for (let row = 0; row < count; row++) {
      const scores = probabilities.slice(row * 10, row * 10 + 10)
      if (scores.indexOf(Math.max(...scores)) === digits.y[row]) correct++
    }
    assert.ok(correct >= 16, `${correct} of ${count} digits recognised by the served model`)
  } finally {
    await server.close()
  }
})

test('maas train trains a spec file on a CSV file', () => {
  const csv = ['a,b,label', ...Array.from({ length: 120 }, (_, index) => `${index % 2 ? 1 : -1},${(index % 7) / 7},${index % 2 ? 'yes' : 'no'}`)].join('\n')
  writeFileSync(path.join(work, 'data.csv'), csv)
  writeFileSync(path.join(work, 'spec.json'), JSON.stringify({ class_name: 'Sequential', config: { layers: [{ class_name: 'Dense', config: { units: 2, activation: 'softmax', batch_input_shape: [null, 2] } }] } }))
  const result = maas('train', '--model', path.join(work, 'spec.json'), '--dataset', path.join(work, 'data.csv'), '--epochs', '40', '--batch-size', '8', '--optimizer', 'sgd', '--learning-rate', '0.5', '--json')
  assert.equal(result.status, 0, result.stderr)
  const summary = JSON.parse(result.stdout.trim().split('\n').at(-1)!)
  assert.ok(summary.test_accuracy > 0.9, JSON.stringify(summary))
})

test('bad arguments exit 2 with a message naming the problem', () => {
  const cases: [string[], RegExp][] = [
    [['train', '--dataset', 'mnist-small'], /--model is required/],
    [['train', '--model', 'seed-mlp', '--dataset', 'mnist-small', '--epochs', '0'], /--epochs must be a positive integer/],
    [['train', '--model', path.join(work, 'missing.json'), '--dataset', 'mnist-small'], /cannot read .*missing\.json: ENOENT/],
    [['train', '--model', 'seed-mlp', '--dataset', path.join(work, 'nowhere')], /not a known dataset name/],
  ]
  for (const [args, pattern] of cases) {
    const result = maas(...args)
    assert.equal(result.status, 2, args.join(' '))
    assert.match(result.stderr, pattern)
  }
})

test('maas train --model model.json starts from the TF.js weight shards beside it', async () => {
  const tf = await import('@tensorflow/tfjs')
  await tf.setBackend('cpu')
  // Every image scores class 3 with logit 50: a loss of ~50 for 90% of the digits until training moves it.
  const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [28, 28] }), tf.layers.dense({ units: 10, activation: 'softmax' })] })
  model.layers[1]!.setWeights([tf.zeros([784, 10]), tf.tensor1d(Array.from({ length: 10 }, (_, index) => (index === 3 ? 50 : 0)))])
  const folder = path.join(work, 'tfjs')
  mkdirSync(folder, { recursive: true })
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const manifest = [{ paths: ['group1-shard1of1.bin'], weights: artifacts.weightSpecs }]
      writeFileSync(path.join(folder, 'model.json'), JSON.stringify({ format: 'layers-model', modelTopology: artifacts.modelTopology, weightsManifest: manifest }))
      writeFileSync(path.join(folder, 'group1-shard1of1.bin'), new Uint8Array(artifacts.weightData as ArrayBuffer))
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }
    }),
  )
  const result = maas('train', '--model', path.join(folder, 'model.json'), '--dataset', 'mnist-small', '--epochs', '1', '--json', '--out', path.join(work, 'from-tfjs'))
  assert.equal(result.status, 0, result.stderr)
  const [epoch] = result.stdout.trim().split('\n').map((line) => JSON.parse(line))
  assert.ok(epoch.loss > 10, `epoch 1 loss ${epoch.loss}: trained from the saved weights, not from new ones (~0.6)`)
})
