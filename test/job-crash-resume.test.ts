/**
 * Crash safety of training jobs, with real processes: `maas serve` is killed with SIGKILL
 * mid-training (its training child must die with it), started again on the same data
 * directory, and the job resumes from its last checkpoint and finishes with exactly the
 * requested epochs, registered and serving.
 */
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { classifyTestDigits, collectEvents, waitFor } from './support/job-events.ts'
import { postJson, requestJson } from './support/test-server.ts'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const EPOCHS = 6

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'maas-crash-data-'))
const repository = mkdtempSync(path.join(os.tmpdir(), 'maas-crash-repo-'))
const servers: ChildProcess[] = []

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Starts `maas serve` in its own process group; resolves with its base URL once it listens. */
async function startServe(): Promise<{ child: ChildProcess; url: string }> {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('MAAS_') && key !== 'NODE_TEST_CONTEXT') env[key] = value
  const child = spawn(process.execPath, [
    path.join(ROOT, 'bin', 'maas.js'), 'serve', '--http-port', '0', '--grpc-port', '0', '--data-dir', dataDir, '--model-repository', repository,
    '--job-lease-ms', '1500', '--bootstrap', 'off', '--no-auth',
  ], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  servers.push(child)
  let stderr = ''
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`maas serve did not listen within 30 s; stderr: ${stderr}`)), 30_000)
    let pending = ''
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk
      const match = /"port":(\d+),"grpcPort"/.exec(pending)
      if (match) {
        clearTimeout(timer)
        resolve(Number(match[1]))
      }
    })
    child.once('exit', (code) => reject(new Error(`maas serve exited (${code}); stderr: ${stderr}`)))
  })
  return { child, url: `http://127.0.0.1:${port}` }
}

after(() => {
  for (const child of servers) {
    try {
      process.kill(-child.pid!, 'SIGKILL') // the whole group: server and any training child
    } catch {
      // already gone
    }
  }
  rmSync(dataDir, { recursive: true, force: true })
  rmSync(repository, { recursive: true, force: true })
})

test('a job survives kill -9 of its server: it resumes from the last checkpoint and trains the requested epochs in total', { timeout: 120_000 }, async () => {
  const first = await startServe()
  const submitted = await postJson(`${first.url}/v1/jobs`, { model: 'digits', preset: 'seed-mlp', dataset: 'mnist-small', fit: { epochs: EPOCHS, batchSize: 16 } })
  assert.equal(submitted.status, 201, JSON.stringify(submitted.body))
  const id = submitted.body.id as string

  // A checkpoint event means the registry holds that checkpoint.
  await collectEvents(`${first.url}/v1/jobs/${id}/events`, (event) => event.event === 'checkpoint' && event.data.epoch >= 2, 60_000)
  const running = (await requestJson(`${first.url}/v1/jobs/${id}`)).body
  const trainingPid = running.progress.pid as number
  assert.ok(isAlive(trainingPid))
  first.child.kill('SIGKILL')
  await waitFor(async () => (isAlive(trainingPid) ? undefined : true), 10_000, 'the training child to exit with its server')

  const second = await startServe()
  const done = await waitFor(async () => {
    const job = (await requestJson(`${second.url}/v1/jobs/${id}`)).body
    if (job.status === 'FAILED' || job.status === 'CANCELLED') throw new Error(`job ${job.status}: ${job.error}`)
    return job.status === 'SUCCEEDED' ? job : undefined
  }, 60_000, 'the resumed job to succeed')

  assert.equal(done.attempts, 2, 'claimed again after the lease ran out')
  assert.ok(done.result.resumedFromEpoch >= 2 && done.result.resumedFromEpoch < EPOCHS, `resumed from epoch ${done.result.resumedFromEpoch}`)
  assert.deepEqual(done.result.history.map((epoch: { epoch: number }) => epoch.epoch), Array.from({ length: EPOCHS }, (_, index) => index + 1))
  assert.equal(done.result.epochs, EPOCHS)
  assert.deepEqual([done.result.model, done.result.version], ['digits', 1])
  const { correct } = await classifyTestDigits(second.url, 'digits', 50)
  assert.ok(correct >= 40, `${correct}/50 digits right`)
  const versions = (await requestJson(`${second.url}/v2/models/digits`)).body.versions
  assert.deepEqual(versions, ['1'], 'one version, registered once')
})
