/**
 * Training jobs over HTTP on a real server: refusals at submission, a job streamed over SSE
 * from queue to a registered, serving version, the queue behind the concurrency limit, and
 * cancellation (which ends the training process).
 */
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { collectEvents, classifyTestDigits, waitFor } from './support/job-events.ts'
import { postJson, requestJson, startTestServer, type TestServer } from './support/test-server.ts'

const job = (fields: Record<string, unknown> = {}) => ({ model: 'digits', preset: 'seed-mlp', dataset: 'mnist-small', fit: { epochs: 2 }, ...fields })

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe('training jobs over HTTP', () => {
  let server: TestServer
  before(async () => (server = await startTestServer({ jobConcurrency: 1, jobLeaseMs: 2000 })))
  after(() => server.close())

  test('refuses bad jobs at submission with 400 and a precise message', async () => {
    const cases: [unknown, RegExp][] = [
      [{ preset: 'seed-mlp', dataset: 'mnist-small' }, /^model is required/],
      [job({ model: '-bad' }), /^model name '-bad' must be/],
      [job({ dataset: 'cifar-10' }), /^dataset 'cifar-10' is not known; known datasets: mnist, fashion-mnist, mnist-small$/],
      [job({ dataset: 'mnist' }), /^dataset 'mnist' is not available on this server \(looked in .*datasets\/mnist\); put train-images-idx3-ubyte\.gz/],
      [job({ preset: 'seed-rnn' }), /^preset "seed-rnn" is not known; known presets: seed-mlp, seed-cnn$/],
      [job({ spec: { class_name: 'Sequential', config: { layers: [] } } }), /^give exactly one of 'preset'/],
      [job({ preset: undefined, spec: { class_name: 'Sequential', config: { layers: [{ class_name: 'LSTM', config: {} }] } } }), /^spec: layers\[0\]: unsupported layer class 'LSTM'/],
      [job({ preset: undefined, spec: { class_name: 'Sequential', config: { layers: [{ class_name: 'InputLayer', config: { batch_input_shape: [null, 784] } }, { class_name: 'Dense', config: { units: 10, activation: 'softmax' } }] } } }), /^model: its input shape \[784\] does not match the samples of dataset 'mnist-small' \[28, 28\]$/],
      [job({ fit: { epochs: 0 } }), /^fit\.epochs must be an integer from 1 to 1000, got 0$/],
      [job({ fit: { epochs: 2, learningRate: 0.1 } }), /^unknown field 'fit\.learningRate'/],
      [job({ compile: { optimizer: 'adamax' } }), /^compile: .*adamax/],
      [job({ alias: 'Production' }), /^alias name 'Production' must start/],
    ]
    for (const [body, message] of cases) {
      const response = await postJson(`${server.url}/v1/jobs`, body)
      assert.equal(response.status, 400, `${JSON.stringify(body)} → ${JSON.stringify(response.body)}`)
      assert.match(response.body.error, message)
    }
    const malformed = await requestJson(`${server.url}/v1/jobs`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"model":' })
    assert.equal(malformed.status, 400)
    assert.match(malformed.body.error, /^job: body is not valid JSON/)
    assert.deepEqual((await requestJson(`${server.url}/v1/jobs`)).body, { jobs: [] }, 'nothing was queued')
  })

  test('answers 404 for an unknown job, on GET, events and cancel', async () => {
    for (const [method, suffix] of [['GET', ''], ['GET', '/events'], ['POST', '/cancel'], ['DELETE', '']] as const) {
      const response = await requestJson(`${server.url}/v1/jobs/no-such-job${suffix}`, { method })
      assert.equal(response.status, 404, `${method} ${suffix}`)
      assert.deepEqual(response.body, { error: "job 'no-such-job' is not found" })
    }
  })

  test('queues a job, streams progress, epochs and checkpoints, and registers a serving version', async () => {
    const submitted = await postJson(`${server.url}/v1/jobs`, job({ alias: 'production' }))
    assert.equal(submitted.status, 201, JSON.stringify(submitted.body))
    const id = submitted.body.id as string
    assert.equal(submitted.headers.get('location'), `/v1/jobs/${id}`)
    assert.equal(submitted.body.status, 'QUEUED')
    assert.deepEqual(submitted.body.spec.fit, { epochs: 2, batchSize: 32, seed: 1, shuffle: true })

    const events = await collectEvents(`${server.url}/v1/jobs/${id}/events`, (event) => ['done', 'failed'].includes(event.event), 60_000)
    const names = events.map((event) => event.event)
    assert.equal(names[0], 'status', 'the current state comes first')
    assert.equal(names.at(-1), 'done', JSON.stringify(events.at(-1)))
    assert.deepEqual(events.filter((event) => event.event === 'epoch').map((event) => [event.data.epoch, event.data.epochs]), [[1, 2], [2, 2]])
    assert.deepEqual(events.filter((event) => event.event === 'checkpoint').map((event) => event.data.epoch), [1, 2])
    const progress = events.find((event) => event.event === 'progress')!.data
    assert.ok(progress.batchesDone > 0 && progress.batchesTotal === 250 && progress.loss > 0 && progress.samplesPerSecond > 0, JSON.stringify(progress))
    const epoch = events.find((event) => event.event === 'epoch')!.data
    assert.ok(epoch.metrics.accuracy > 0.5 && epoch.samplesPerSecond > 0, JSON.stringify(epoch))

    const done = (await requestJson(`${server.url}/v1/jobs/${id}`)).body
    assert.equal(done.status, 'SUCCEEDED')
    assert.deepEqual([done.result.model, done.result.version, done.result.alias, done.result.epochs, done.result.resumedFromEpoch], ['digits', 1, 'production', 2, 0])
    assert.ok(done.result.metrics.test_accuracy > 0.85, JSON.stringify(done.result.metrics))

    const registry = server.server.registry
    const version = await registry.versions.get('digits', 1)
    assert.equal(version.status, 'READY')
    assert.equal(version.metrics.test_accuracy, done.result.metrics.test_accuracy)
    const lineage = await registry.lineage.get({ model: 'digits', version: 1 })
    assert.deepEqual([lineage?.operation, lineage?.dataset, lineage?.parameters.preset, (lineage?.parameters.fit as { epochs: number }).epochs], ['trained', 'mnist-small', 'seed-mlp', 2])
    assert.equal((await registry.aliases.get('digits', 'production')).version, 1)
    const checkpoint = (await registry.jobs.get(id)).checkpoint!
    assert.equal(path.basename(checkpoint), 'checkpoint-2.bin')
    assert.ok(!existsSync(path.dirname(checkpoint)), 'a finished job leaves no checkpoints behind: its model is in the artifact store')

    // Served at once, by name and by alias.
    const { correct } = await classifyTestDigits(server.url, 'digits', 50)
    assert.ok(correct >= 40, `${correct}/50 digits right`)
    assert.equal((await requestJson(`${server.url}/v2/models/digits@production/ready`)).status, 200)

    // A finished job's stream replays its state and ends at once.
    const replay = await collectEvents(`${server.url}/v1/jobs/${id}/events`, () => false, 5_000)
    assert.deepEqual(replay.map((event) => event.event), ['status', 'done'])
    const list = (await requestJson(`${server.url}/v1/jobs?status=succeeded`)).body.jobs as { id: string }[]
    assert.ok(list.some((entry) => entry.id === id))
  })

  test('keeps jobs beyond the concurrency limit queued, cancels running and queued jobs, and ends the process', async () => {
    const first = (await postJson(`${server.url}/v1/jobs`, job({ model: 'long', fit: { epochs: 200 } }))).body
    const second = (await postJson(`${server.url}/v1/jobs`, job({ model: 'long', fit: { epochs: 200 } }))).body
    const [started] = (await collectEvents(`${server.url}/v1/jobs/${first.id}/events`, (event) => event.event === 'checkpoint', 30_000)).filter((event) => event.event === 'epoch')
    assert.equal(started!.data.epoch, 1)
    const running = (await requestJson(`${server.url}/v1/jobs/${first.id}`)).body
    assert.equal(running.status, 'RUNNING')
    assert.equal((await requestJson(`${server.url}/v1/jobs/${second.id}`)).body.status, 'QUEUED', 'one job at a time')
    const pid = running.progress.pid as number
    assert.ok(isAlive(pid), 'the training process runs')

    // The server stays responsive while a child process trains.
    const t0 = performance.now()
    assert.equal((await requestJson(`${server.url}/v2/health/live`)).status, 200)
    assert.ok(performance.now() - t0 < 1000, `health answered in ${performance.now() - t0} ms`)

    const ending = collectEvents(`${server.url}/v1/jobs/${first.id}/events`, (event) => event.event === 'cancelled', 15_000)
    const cancelled = await postJson(`${server.url}/v1/jobs/${first.id}/cancel`, {})
    assert.equal(cancelled.status, 200)
    assert.equal(cancelled.body.status, 'CANCELLED')
    assert.equal((await ending).at(-1)!.event, 'cancelled')
    await waitFor(async () => (isAlive(pid) ? undefined : true), 5_000, 'the training process to end')
    const firstCheckpoint = (await server.server.registry.jobs.get(first.id)).checkpoint!
    assert.equal(path.basename(firstCheckpoint), 'checkpoint-1.bin', 'it had checkpointed before the cancel')
    assert.ok(!existsSync(path.dirname(firstCheckpoint)), 'a cancelled job leaves no checkpoints behind')
    assert.equal((await requestJson(`${server.url}/v1/jobs/${first.id}/cancel`, { method: 'POST' })).status, 409)

    // A queued job may hold checkpoints from a server that handed it back (by now the runner may
    // also have started it); either way cancelling removes its folder.
    const secondFolder = path.join(server.dataDir, 'jobs', second.id)
    mkdirSync(secondFolder, { recursive: true })
    writeFileSync(path.join(secondFolder, 'checkpoint-1.bin'), 'left by a graceful stop')
    const deleted = await requestJson(`${server.url}/v1/jobs/${second.id}`, { method: 'DELETE' })
    assert.equal(deleted.body.status, 'CANCELLED')
    await waitFor(async () => (existsSync(secondFolder) ? undefined : true), 5_000, "the cancelled job's folder to go")
    await assert.rejects(server.server.registry.versions.list('long'), /not found/, 'nothing was registered')
  })
})
