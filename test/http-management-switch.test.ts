/**
 * Zero-downtime lifecycle through the management API: under continuous load (several
 * request loops on `model@alias` and on the bare model), moving an alias and uploading a new
 * version lose no request and return no error, and responses switch from the old version to
 * the new one; a failed upload in the middle changes nothing the loops can see.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { buildVersionMarker } from './support/fixture-repository.ts'
import { buildUnloadable, createModel, inferMarker, putAlias, uploadVersion } from './support/management-client.ts'
import { startTestServer, type TestServer } from './support/test-server.ts'

let server: TestServer
before(async () => {
  server = await startTestServer()
  assert.equal((await createModel(server, { name: 'live' })).status, 201)
  for (const version of [1, 2]) assert.equal((await uploadVersion(server, 'live', buildVersionMarker(version))).status, 201)
  assert.equal((await putAlias(server, 'live', 'production', { version: 1 })).status, 200)
})
after(() => server.close())

interface Observed {
  /** Order in which the request was sent. */
  readonly sent: number
  readonly model: string
  readonly status: number
  readonly version?: number
  readonly error?: string
}

/**
 * Runs `loops` request loops per model while `work` runs; returns every response in the order
 * the requests were sent (concurrent loops finish out of order: a request routed to the old
 * version just before a switch may answer after one routed to the new version).
 */
async function underLoad(models: readonly string[], loops: number, work: () => Promise<void>): Promise<Observed[]> {
  const observed: Observed[] = []
  let stop = false
  let sent = 0
  const workers = models.flatMap((model) => Array.from({ length: loops }, async () => {
    while (!stop) {
      const order = sent++
      const response = await inferMarker(server, model).catch((error: Error) => ({ status: 0, body: { error: error.message }, version: undefined }))
      observed.push({ sent: order, model, status: response.status, ...(response.version !== undefined ? { version: response.version } : { error: JSON.stringify(response.body) }) })
    }
  }))
  try {
    await new Promise((resolve) => setTimeout(resolve, 50))
    await work()
    await new Promise((resolve) => setTimeout(resolve, 50))
  } finally {
    stop = true
    await Promise.all(workers)
  }
  return observed.sort((a, b) => a.sent - b.sent)
}

/** The versions seen, in order, with repeats collapsed: [1, 2] means a clean switch. */
function switches(observed: readonly Observed[], model: string): number[] {
  const sequence: number[] = []
  for (const entry of observed) if (entry.model === model && sequence.at(-1) !== entry.version) sequence.push(entry.version!)
  return sequence
}

test('moving an alias and uploading a version under continuous load lose no request and switch cleanly', async () => {
  const observed = await underLoad(['live@production', 'live'], 3, async () => {
    const moved = await putAlias(server, 'live', 'production', { version: 2 })
    assert.equal(moved.status, 200, JSON.stringify(moved.body))
    const failed = await uploadVersion(server, 'live', buildUnloadable())
    assert.equal(failed.status, 400)
    const uploaded = await uploadVersion(server, 'live', buildVersionMarker(4))
    assert.equal(uploaded.status, 201, JSON.stringify(uploaded.body))
    assert.equal(uploaded.body.version, 4)
    await new Promise((resolve) => setTimeout(resolve, 30))
    const back = await putAlias(server, 'live', 'production', { version: 4 })
    assert.equal(back.status, 200)
  })
  const failures = observed.filter((entry) => entry.status !== 200)
  assert.deepEqual(failures, [], `${failures.length} of ${observed.length} requests failed`)
  assert.ok(observed.length > 50, `only ${observed.length} requests ran`)
  assert.deepEqual(switches(observed, 'live@production'), [1, 2, 4])
  assert.deepEqual(switches(observed, 'live'), [2, 4])
  const statuses = (await server.server.registry.versions.list('live', { statuses: ['READY', 'FAILED'] })).map((v) => `${v.version}:${v.status}`)
  assert.deepEqual(statuses, ['1:READY', '2:READY', '3:FAILED', '4:READY'])
})
