import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { requestJson, startTestServer, type TestServer } from './support/test-server.ts'

let server: TestServer
before(async () => (server = await startTestServer()))
after(() => server.close())

test('server live and ready answer 200 with a JSON body', async () => {
  assert.deepEqual(await requestJson(`${server.url}/v2/health/live`).then((r) => [r.status, r.body]), [200, { live: true }])
  assert.deepEqual(await requestJson(`${server.url}/v2/health/ready`).then((r) => [r.status, r.body]), [200, { ready: true }])
})

test('server metadata names the server, its version and extensions, at /v2 and /v2/ (the OpenAPI path)', async () => {
  const { status, body } = await requestJson(`${server.url}/v2`)
  assert.equal(status, 200)
  assert.equal(body.name, 'maas')
  assert.equal(typeof body.version, 'string')
  for (const extension of ['binary_tensor_data', 'classification', 'model_configuration', 'model_repository', 'statistics']) assert.ok(body.extensions.includes(extension), extension)
  assert.deepEqual(await requestJson(`${server.url}/v2/`).then((r) => [r.status, r.body]), [200, body])
})

test('echoes X-Request-Id, or makes one up', async () => {
  const given = await fetch(`${server.url}/v2/health/live`, { headers: { 'X-Request-Id': 'abc-123' } })
  assert.equal(given.headers.get('x-request-id'), 'abc-123')
  const made = await fetch(`${server.url}/v2/health/live`)
  assert.match(made.headers.get("x-request-id") ?? "", /^[0-9a-f]{8}-[0-9a-z]+$/)
})

test('unknown routes answer 404 and wrong methods 405, both with {error}', async () => {
  const missing = await requestJson(`${server.url}/v3/nothing`)
  assert.equal(missing.status, 404)
  assert.match(missing.body.error, /no route for GET \/v3\/nothing/)
  const wrong = await requestJson(`${server.url}/v2/health/live`, { method: 'POST' })
  assert.equal(wrong.status, 405)
  assert.equal(wrong.headers.get('allow'), 'GET, HEAD')
  assert.match(wrong.body.error, /not allowed/)
})

test('a model that fails to load makes the server not ready, with the reason in the index', async () => {
  const { mkdirSync, writeFileSync } = await import('node:fs')
  const path = await import('node:path')
  const broken = await startTestServer()
  try {
    mkdirSync(path.join(broken.repository, 'broken', '1'), { recursive: true })
    writeFileSync(path.join(broken.repository, 'broken', '1', 'model.onnx'), 'this is not onnx')
    const load = await requestJson(`${broken.url}/v2/repository/models/broken/load`, { method: 'POST' })
    assert.equal(load.status, 400)
    assert.match(load.body.error, /failed to load model 'broken'/)
    const ready = await requestJson(`${broken.url}/v2/health/ready`)
    assert.equal(ready.status, 400, 'required_api.md: a 4xx status code indicates false')
    assert.equal(ready.body.ready, false)
    assert.match(ready.body.error, /not ready/)
    const modelReady = await requestJson(`${broken.url}/v2/models/broken/ready`)
    assert.equal(modelReady.status, 400)
    assert.deepEqual([modelReady.body.name, modelReady.body.ready], ['broken', false])
    const index = await requestJson(`${broken.url}/v2/repository/index`, { method: 'POST' })
    // As in Triton: a version that failed to load is UNAVAILABLE, the reason says why.
    const entry = index.body.find((row: any) => row.name === 'broken')
    assert.equal(entry.state, 'UNAVAILABLE')
    assert.match(entry.reason, /version 1: .*ONNX/)
    const infer = await requestJson(`${broken.url}/v2/models/broken/infer`, { method: 'POST', body: '{"inputs":[]}' })
    assert.equal(infer.status, 503)
  } finally {
    await broken.close()
  }
})

test('a registered model without any version yet leaves the server ready', async () => {
  await server.server.registry.models.create({ name: 'empty', visibility: 'public' })
  const load = await requestJson(`${server.url}/v2/repository/models/empty/load`, { method: 'POST' })
  assert.equal(load.status, 503)
  assert.match(load.body.error, /no version to serve yet/)
  assert.equal((await requestJson(`${server.url}/v2/health/ready`)).status, 200)
  const index = await requestJson(`${server.url}/v2/repository/index`, { method: 'POST' })
  assert.deepEqual(index.body.find((entry: any) => entry.name === 'empty'), { name: 'empty', state: 'UNAVAILABLE', reason: 'no version to serve yet' })
})
