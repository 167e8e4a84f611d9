import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { buildVersionMarker, writeModel } from './support/fixture-repository.ts'
import { postJson, requestJson, startTestServer, type TestServer } from './support/test-server.ts'

let server: TestServer
before(async () => {
  server = await startTestServer()
})
after(() => server.close())

function inferVersioned() {
  return postJson(`${server.url}/v2/models/versioned/infer`, { inputs: [{ name: 'INPUT', datatype: 'FP32', shape: [1, 4], data: [0, 0, 0, 0] }] })
}

test('index lists every model and version with its state; ready:true filters', async () => {
  const { status, body } = await postJson(`${server.url}/v2/repository/index`, {})
  assert.equal(status, 200)
  const versioned = body.filter((entry: any) => entry.name === 'versioned')
  assert.deepEqual(versioned, [
    { name: 'versioned', version: '3', state: 'READY', reason: '' },
    { name: 'versioned', version: '2', state: 'READY', reason: '' },
  ])
  const empty = await requestJson(`${server.url}/v2/repository/index`, { method: 'POST' })
  assert.equal(empty.status, 200, 'an empty body is allowed')
  assert.equal(empty.body.length, body.length)
  const ready = await postJson(`${server.url}/v2/repository/index`, { ready: true })
  assert.ok(ready.body.every((entry: any) => entry.state === 'READY'))
  const bad = await postJson(`${server.url}/v2/repository/index`, { ready: 'yes' })
  assert.equal(bad.status, 400)
})

test('unload makes the model unavailable (503), load brings it back', async () => {
  assert.equal((await postJson(`${server.url}/v2/repository/models/identity_int8/unload`, {})).status, 200)
  const infer = await postJson(`${server.url}/v2/models/identity_int8/infer`, { inputs: [{ name: 'INPUT', datatype: 'INT8', shape: [1], data: [1] }] })
  assert.equal(infer.status, 503)
  assert.match(infer.body.error, /not ready/)
  assert.equal((await requestJson(`${server.url}/v2/models/identity_int8/ready`)).status, 400)
  const index = await postJson(`${server.url}/v2/repository/index`, {})
  assert.deepEqual(index.body.find((entry: any) => entry.name === 'identity_int8'), { name: 'identity_int8', version: '1', state: 'UNAVAILABLE', reason: 'unloaded' })
  assert.equal((await postJson(`${server.url}/v2/repository/models/identity_int8/load`, {})).status, 200)
  const again = await postJson(`${server.url}/v2/models/identity_int8/infer`, { inputs: [{ name: 'INPUT', datatype: 'INT8', shape: [1], data: [1] }] })
  assert.equal(again.status, 200)
})

test('load of an unknown model is 404; unsupported load parameters are 400', async () => {
  const missing = await postJson(`${server.url}/v2/repository/models/nope/load`, {})
  assert.equal(missing.status, 404)
  assert.equal((await postJson(`${server.url}/v2/repository/models/nope/unload`, {})).status, 404)
  const override = await postJson(`${server.url}/v2/repository/models/simple/load`, { parameters: { config: '{}' } })
  assert.equal(override.status, 400)
  assert.match(override.body.error, /config/)
})

test('a model added to the repository is listed, then served after load', async () => {
  writeModel(server.repository, 'late', 1, buildVersionMarker(7))
  const index = await postJson(`${server.url}/v2/repository/index`, {})
  assert.deepEqual(index.body.find((entry: any) => entry.name === 'late'), { name: 'late', state: 'UNAVAILABLE', reason: 'not loaded' })
  assert.equal((await requestJson(`${server.url}/v2/models/late/ready`)).status, 404)
  assert.equal((await postJson(`${server.url}/v2/repository/models/late/load`, {})).status, 200)
  assert.equal((await requestJson(`${server.url}/v2/models/late/ready`)).status, 200)
})

/** Runs `concurrency` request loops on `versioned` while `work` runs; always stops them. */
async function underContinuousLoad(work: () => Promise<void>, record: (response: Awaited<ReturnType<typeof inferVersioned>>) => void) {
  let stop = false
  const workers = Array.from({ length: 4 }, async () => {
    while (!stop) record(await inferVersioned())
  })
  try {
    await new Promise((resolve) => setTimeout(resolve, 30))
    await work()
    await new Promise((resolve) => setTimeout(resolve, 30))
  } finally {
    stop = true
    await Promise.all(workers)
  }
}

test('reload under continuous load picks up a new version and never fails a request', async () => {
  const statuses: number[] = []
  const versions = new Set<string>()
  await underContinuousLoad(
    async () => {
      assert.equal((await postJson(`${server.url}/v2/repository/models/versioned/load`, {})).status, 200)
      writeModel(server.repository, 'versioned', 4, buildVersionMarker(4))
      assert.equal((await postJson(`${server.url}/v2/repository/models/versioned/load`, {})).status, 200)
    },
    (response) => {
      statuses.push(response.status)
      if (response.status === 200) versions.add(response.body.model_version)
    },
  )
  assert.ok(statuses.length > 20, `only ${statuses.length} requests ran`)
  assert.deepEqual([...new Set(statuses)], [200])
  assert.ok(versions.has('3') && versions.has('4'), `served versions: ${[...versions]}`)
  const { body } = await requestJson(`${server.url}/v2/models/versioned`)
  assert.deepEqual(body.versions, ['4', '3'])
})

test('unload and load under continuous load: only 200 or 503 (not ready), never a lost or failed request', async () => {
  const outcomes: string[] = []
  await underContinuousLoad(
    async () => {
      for (let cycle = 0; cycle < 3; cycle++) {
        await new Promise((resolve) => setTimeout(resolve, 20))
        assert.equal((await postJson(`${server.url}/v2/repository/models/versioned/unload`, {})).status, 200)
        await new Promise((resolve) => setTimeout(resolve, 20))
        assert.equal((await postJson(`${server.url}/v2/repository/models/versioned/load`, {})).status, 200)
      }
    },
    (response) => outcomes.push(response.status === 200 ? '200' : `${response.status} ${response.body.error}`),
  )
  const unexpected = outcomes.filter((outcome) => outcome !== '200' && !/^503 model 'versioned' is not ready/.test(outcome))
  assert.deepEqual(unexpected, [])
  assert.ok(outcomes.includes('200'))
  assert.equal(outcomes.at(-1), '200', 'the model serves again after the last load')
})
