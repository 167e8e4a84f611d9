/**
 * Uploads through the management API: octet-stream and multipart; an upload serves once it
 * returns (by number, as latest, and as model@alias); garbage, truncated, empty and oversized
 * uploads leave no version and no artifact; a version onnxruntime cannot load is FAILED with
 * the reason while the old version keeps serving.
 */
import assert from 'node:assert/strict'
import { request as httpRequest } from 'node:http'
import { after, before, describe, test } from 'node:test'
import { buildMlp } from '../src/onnx/example-models.ts'
import { buildVersionMarker } from './support/fixture-repository.ts'
import { artifactFiles, buildUnloadable, createModel, inferMarker, uploadVersion } from './support/management-client.ts'
import { requestJson, startTestServer, type TestServer } from './support/test-server.ts'

let server: TestServer
before(async () => {
  server = await startTestServer({ maxBodyBytes: 16 * 1024, maxUploadBytes: 64 * 1024 })
  assert.equal((await createModel(server, { name: 'up' })).status, 201)
})
after(() => server.close())

const versionsOf = async (model: string) =>
  (await server.server.registry.versions.list(model, { statuses: ['REGISTERING', 'READY', 'FAILED', 'ARCHIVED'] })).map((v) => `${v.version}:${v.status}`)

function multipart(parts: { name: string; filename?: string; type: string; body: Uint8Array | string }[], boundary = 'maas-test-boundary'): Buffer {
  const chunks: Buffer[] = []
  for (const part of parts) {
    const filename = part.filename ? `; filename="${part.filename}"` : ''
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"${filename}\r\nContent-Type: ${part.type}\r\n\r\n`), Buffer.from(part.body), Buffer.from('\r\n'))
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`))
  return Buffer.concat(chunks)
}

describe('uploads that succeed', () => {
  test('a model file larger than --max-body-bytes uploads under --max-upload-bytes', async () => {
    const model = buildMlp({ inputs: 64, hidden: [128], classes: 10 })
    assert.ok(model.length > 16 * 1024 && model.length < 64 * 1024, `fixture is ${model.length} bytes`)
    assert.equal((await createModel(server, { name: 'wide' })).status, 201)
    const response = await uploadVersion(server, 'wide', model)
    assert.equal(response.status, 201, JSON.stringify(response.body))
    assert.equal(response.body.status, 'READY')
    assert.equal(response.body.artifact.sizeBytes, model.length)
  })

  test('an octet-stream upload is READY, recorded and served as soon as the call returns', async () => {
    const response = await uploadVersion(server, 'up', buildVersionMarker(1), { metrics: { accuracy: 0.9 }, description: 'first' })
    assert.equal(response.status, 201, JSON.stringify(response.body))
    assert.equal(response.headers.get('location'), '/v1/registry/models/up/versions/1')
    assert.equal(response.body.status, 'READY')
    assert.equal(response.body.artifact.format, 'onnx')
    assert.deepEqual(response.body.metrics, { accuracy: 0.9 })
    assert.equal((await inferMarker(server, 'up')).version, 1)
    assert.equal((await inferMarker(server, 'up/versions/1')).version, 1)
    const lineage = await server.server.registry.lineage.get({ model: 'up', version: 1 })
    assert.equal(lineage?.operation, 'uploaded')
    assert.equal(lineage?.parameters.description, 'first')
  })

  test('a multipart upload with metadata and an alias serves as model@alias', async () => {
    const body = multipart([
      { name: 'metadata', type: 'application/json', body: JSON.stringify({ metrics: { accuracy: 0.95 }, alias: 'production' }) },
      { name: 'file', filename: 'model.onnx', type: 'application/octet-stream', body: buildVersionMarker(2) },
    ])
    const response = await requestJson(`${server.url}/v1/registry/models/up/versions`, {
      method: 'POST', headers: { 'Content-Type': 'multipart/form-data; boundary=maas-test-boundary' }, body,
    })
    assert.equal(response.status, 201, JSON.stringify(response.body))
    assert.equal(response.body.version, 2)
    assert.deepEqual(response.body.metrics, { accuracy: 0.95 })
    assert.equal((await inferMarker(server, 'up@production')).version, 2)
    assert.equal((await inferMarker(server, 'up/versions/production')).version, 2)
  })

  test('fetch FormData (what browsers and the SDKs send) works too', async () => {
    const form = new FormData()
    form.append('metadata', new Blob([JSON.stringify({ metrics: { accuracy: 0.5 } })], { type: 'application/json' }))
    form.append('file', new Blob([buildVersionMarker(3)]), 'model.onnx')
    const response = await requestJson(`${server.url}/v1/registry/models/up/versions`, { method: 'POST', body: form })
    assert.equal(response.status, 201, JSON.stringify(response.body))
    assert.equal((await inferMarker(server, 'up')).version, 3)
    assert.equal((await inferMarker(server, 'up@production')).version, 2, 'the alias still points at 2')
  })
})

describe('uploads that fail leave nothing behind', () => {
  test('garbage, truncated and empty files: 400, no version, no artifact', async () => {
    const before = await versionsOf('up')
    const files = artifactFiles(server)
    const good = buildVersionMarker(9)
    for (const [bytes, message] of [
      [new TextEncoder().encode('this is not an onnx model at all'), /not a valid ONNX model/],
      [good.subarray(0, good.length - 7), /not a valid ONNX model/],
      [new Uint8Array(0), /empty/],
    ] as const) {
      const response = await uploadVersion(server, 'up', bytes)
      assert.equal(response.status, 400, JSON.stringify(response.body))
      assert.match(response.body.error, message)
    }
    assert.deepEqual(await versionsOf('up'), before)
    assert.deepEqual(artifactFiles(server), files)
    assert.equal((await inferMarker(server, 'up')).version, 3)
  })

  test('a multipart body cut off before its closing boundary is refused and leaves nothing', async () => {
    const before = await versionsOf('up')
    const files = artifactFiles(server)
    const body = multipart([{ name: 'file', type: 'application/octet-stream', body: buildVersionMarker(9) }])
    const response = await requestJson(`${server.url}/v1/registry/models/up/versions`, {
      method: 'POST', headers: { 'Content-Type': 'multipart/form-data; boundary=maas-test-boundary' }, body: body.subarray(0, body.length - 40),
    })
    assert.equal(response.status, 400)
    assert.match(response.body.error, /truncated/)
    assert.deepEqual(await versionsOf('up'), before)
    assert.deepEqual(artifactFiles(server), files)
  })

  test('a client that disconnects mid-upload leaves nothing', async () => {
    const before = await versionsOf('up')
    const files = artifactFiles(server)
    const { port } = new URL(server.url)
    await new Promise<void>((resolve) => {
      const request = httpRequest({ port, method: 'POST', path: '/v1/registry/models/up/versions', headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': 50_000 } })
      request.on('error', () => resolve())
      request.write(Buffer.alloc(20_000, 1), () => setTimeout(() => {
        request.destroy()
        resolve()
      }, 50))
    })
    await new Promise((resolve) => setTimeout(resolve, 100))
    assert.deepEqual(await versionsOf('up'), before)
    assert.deepEqual(artifactFiles(server), files)
  })

  test('too large: 413 (declared or streamed), 415 for other content types, 404 for unknown models', async () => {
    const files = artifactFiles(server)
    const big = new Uint8Array(64 * 1024 + 1)
    assert.equal((await uploadVersion(server, 'up', big)).status, 413)
    const streamed = await requestJson(`${server.url}/v1/registry/models/up/versions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream' },
      body: new ReadableStream({ start(controller) { for (let i = 0; i < 5; i++) controller.enqueue(new Uint8Array(16 * 1024)); controller.close() } }),
      duplex: 'half',
    } as RequestInit)
    assert.equal(streamed.status, 413)
    assert.deepEqual(artifactFiles(server), files)
    const json = await requestJson(`${server.url}/v1/registry/models/up/versions`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })
    assert.equal(json.status, 415)
    assert.equal((await uploadVersion(server, 'nobody', buildVersionMarker(1))).status, 404)
    const badMetadata = await uploadVersion(server, 'up', buildVersionMarker(1), { operation: 'stolen' })
    assert.equal(badMetadata.status, 400)
    assert.match(badMetadata.body.error, /"operation" must be one of/)
  })
})

describe('a version that fails to load', () => {
  test('is FAILED with the reason, keeps no artifact, and the old version keeps serving', async () => {
    const files = artifactFiles(server)
    const response = await uploadVersion(server, 'up', buildUnloadable())
    assert.equal(response.status, 400)
    assert.match(response.body.error, /version 4 of model 'up' failed to load and is FAILED: onnxruntime cannot load the model/)
    const failed = await requestJson(`${server.url}/v1/registry/models/up/versions/4`)
    assert.equal(failed.body.status, 'FAILED')
    assert.match(failed.body.statusReason, /NoSuchOperator/)
    assert.equal(failed.body.artifact, null)
    assert.deepEqual(artifactFiles(server), files)
    assert.equal((await inferMarker(server, 'up')).version, 3)
    assert.equal((await requestJson(`${server.url}/v2/health/ready`)).status, 200)
    const alias = await requestJson(`${server.url}/v1/registry/models/up/aliases/production`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ version: 4 }) })
    assert.equal(alias.status, 409)
    assert.equal((await requestJson(`${server.url}/v1/registry/models/up/versions/4`, { method: 'DELETE' })).status, 204)
  })

  test('a servingConfig the new version does not fit leaves it FAILED too', async () => {
    assert.equal((await createModel(server, { name: 'fixed', servingConfig: { max_batch_size: 8 } })).status, 201)
    const { buildIdentity } = await import('../src/onnx/example-models.ts')
    const response = await uploadVersion(server, 'fixed', buildIdentity('FP32', [4]))
    assert.equal(response.status, 400)
    assert.match(response.body.error, /max_batch_size is 8/)
    assert.deepEqual(await versionsOf('fixed'), ['1:FAILED'])
  })
})
