/**
 * The embedded default: a server where maas has trained nothing yet (the imported demo
 * folder does not count) trains the seed recipe on the bundled digits as a job and serves
 * it as `mnist@production`; once done, or when turned off, it queues nothing.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { BOOTSTRAP_JOB, needsBootstrap } from '../src/control/bootstrap.ts'
import { classifyTestDigits, waitFor } from './support/job-events.ts'
import { requestJson, startTestServer, type TestServer } from './support/test-server.ts'

describe('bootstrap on', () => {
  let server: TestServer
  before(async () => (server = await startTestServer({ bootstrap: true, jobLeaseMs: 5000 })))
  after(() => server.close())

  test('trains the seed recipe as a job and serves mnist@production, which classifies test digits', { timeout: 90_000 }, async () => {
    const started = performance.now()
    await waitFor(async () => ((await requestJson(`${server.url}/v2/models/mnist@production/ready`)).status === 200 ? true : undefined), 60_000, 'mnist@production to be ready')
    const seconds = (performance.now() - started) / 1000
    assert.ok(seconds < 30, `ready after ${seconds.toFixed(1)} s`)

    const { correct, count } = await classifyTestDigits(server.url, 'mnist@production', 100)
    assert.ok(correct >= 85, `${correct}/${count} digits right`)

    const jobs = (await requestJson(`${server.url}/v1/jobs`)).body.jobs
    assert.equal(jobs.length, 1)
    assert.equal(jobs[0].status, 'SUCCEEDED')
    assert.deepEqual([jobs[0].spec.model, jobs[0].spec.alias, jobs[0].spec.dataset, jobs[0].spec.fit.epochs], ['mnist', 'production', 'mnist-small', BOOTSTRAP_JOB.fit.epochs])
    assert.equal((await server.server.registry.aliases.get('mnist', 'production')).version, 1)
    assert.equal(await needsBootstrap(server.server.registry), false, 'a second start trains nothing')
  })
})

describe('bootstrap off', () => {
  let server: TestServer
  before(async () => (server = await startTestServer({ bootstrap: false })))
  after(() => server.close())

  test('queues nothing, though the registry has no trained model', async () => {
    assert.equal(await needsBootstrap(server.server.registry), true)
    assert.deepEqual((await requestJson(`${server.url}/v1/jobs`)).body, { jobs: [] })
    assert.equal((await requestJson(`${server.url}/v2/models/mnist`)).status, 404)
  })
})
