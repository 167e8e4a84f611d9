/**
 * `maas train --remote URL` against a real server: it submits the job, follows its event
 * stream with progress, and exits 0 printing the registered model@version (1 on a failed job,
 * 2 with the server's message on a refused one). Against a server with API keys on it sends
 * the key from --api-key or, failing that, MAAS_API_KEY.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { generateApiKey } from '../src/control/api-key.ts'
import { requestJson, startTestServer, type TestServer } from './support/test-server.ts'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

function runMaas(args: readonly string[], ms = 60_000, extraEnv: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('MAAS_') && key !== 'NODE_TEST_CONTEXT') env[key] = value
  Object.assign(env, extraEnv)
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
    assert.match(result.stderr, /^maas train: the server refused the job: dataset 'cifar-10' is not known; known datasets: mnist, fashion-mnist, mnist-small \(HTTP 400\)$/m)
  })
})

describe('maas train --remote with API keys on', () => {
  const admin = generateApiKey().key
  let server: TestServer
  let trainer: string
  before(async () => {
    server = await startTestServer({ auth: true, adminKey: admin, jobLeaseMs: 5000 })
    const created = await requestJson(`${server.url}/v1/keys`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${admin}` },
      body: JSON.stringify({ name: 'trainer', role: 'admin' }),
    })
    assert.equal(created.status, 201, JSON.stringify(created.body))
    trainer = created.body.key
  })
  after(() => server.close())

  test('exits 2 naming the 401 and how to give a key when none is given', async () => {
    const result = await runMaas(['train', '--remote', server.url, '--model', 'seed-mlp', '--dataset', 'mnist-small', '--epochs', '1'])
    assert.equal(result.code, 2)
    assert.match(result.stderr, /^maas train: POST http:\/\/127\.0\.0\.1:\d+\/v1\/jobs: .+ \(HTTP 401\) \(give an API key with --api-key or MAAS_API_KEY\)$/m)
  })

  test('sends MAAS_API_KEY as a Bearer token and the job is the key\'s', async () => {
    const result = await runMaas(['train', '--remote', server.url, '--model', 'seed-mlp', '--dataset', 'mnist-small', '--epochs', '1', '--name', 'keyed-digits'], 60_000, { MAAS_API_KEY: trainer })
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, /^keyed-digits@1: test loss /)
    assert.equal((await server.server.registry.models.get('keyed-digits')).owner, 'trainer')
  })

  test('--api-key wins over MAAS_API_KEY', async () => {
    const result = await runMaas(['train', '--remote', server.url, '--api-key', trainer, '--model', 'seed-mlp', '--dataset', 'mnist-small', '--epochs', '1', '--name', 'keyed-digits', '--json'], 60_000, {
      MAAS_API_KEY: generateApiKey().key,
    })
    assert.equal(result.code, 0, result.stderr)
    const last = JSON.parse(result.stdout.trim().split('\n').at(-1)!)
    assert.deepEqual([last.status, last.model, last.version], ['SUCCEEDED', 'keyed-digits', 2])
  })
})
