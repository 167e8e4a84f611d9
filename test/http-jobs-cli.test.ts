/**
 * `maas train --remote URL` against a real server: it submits the job, follows its event
 * stream with progress, and exits 0 printing the registered model@version (1 on a failed job,
 * 2 with the server's message on a refused one).
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { startTestServer, type TestServer } from './support/test-server.ts'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

function runMaas(args: readonly string[], ms = 60_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('MAAS_') && key !== 'NODE_TEST_CONTEXT') env[key] = value
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'maas.js'), ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`maas ${args.join(' ')} did not exit within ${ms} ms; stderr: ${stderr}`))
    }, ms)
    child.once('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

describe('maas train --remote', () => {
  let server: TestServer
  before(async () => (server = await startTestServer({ jobLeaseMs: 5000 })))
  after(() => server.close())

  test('trains on the server with a progress report and prints model@version', async () => {
    const result = await runMaas(['train', '--remote', server.url, '--model', 'seed-mlp', '--dataset', 'mnist-small', '--epochs', '2', '--name', 'cli-digits', '--alias', 'staging'])
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stderr, /^job [\w-]+ queued on http:\/\/127\.0\.0\.1:\d+/m)
    assert.match(result.stderr, /^Epoch 1\/2: loss \d\.\d{4} accuracy \d\.\d{4} \d+ samples\/s/m)
    assert.match(result.stderr, /^Epoch 2\/2: /m)
    assert.match(result.stdout, /^cli-digits@1 \(alias staging\): test loss \d\.\d{4}, test accuracy 0\.9\d{3}\n$/)
    assert.equal((await server.server.registry.aliases.get('cli-digits', 'staging')).version, 1)
  })

  test('--json prints one object per epoch and the registered version', async () => {
    const result = await runMaas(['train', '--remote', server.url, '--model', 'seed-mlp', '--dataset', 'mnist-small', '--epochs', '1', '--name', 'cli-digits', '--json'])
    assert.equal(result.code, 0, result.stderr)
    const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line))
    assert.equal(lines[0].status, 'QUEUED')
    assert.equal(lines[1].epoch, 1)
    assert.ok(lines[1].accuracy > 0.5 && lines[1].samples_per_second > 0)
    assert.deepEqual([lines.at(-1).status, lines.at(-1).model, lines.at(-1).version], ['SUCCEEDED', 'cli-digits', 2])
    assert.ok(lines.at(-1).test_accuracy > 0.8)
  })

  test('exits 2 with the server\'s message when it refuses the job', async () => {
    const result = await runMaas(['train', '--remote', server.url, '--model', 'seed-mlp', '--dataset', 'cifar-10'])
    assert.equal(result.code, 2)
    assert.match(result.stderr, /^maas train: the server refused the job: dataset 'cifar-10' is not known; known datasets: mnist, fashion-mnist, mnist-small$/m)
  })
})
