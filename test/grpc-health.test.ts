import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { status } from '@grpc/grpc-js'
import { expectGrpcError } from './support/grpc-test-client.ts'
import { startGrpcTestServer, type GrpcTestServer } from './support/grpc-test-server.ts'

let server: GrpcTestServer
before(async () => (server = await startGrpcTestServer()))
after(() => server.close())

test('ServerLive and ServerReady are true once the models are loaded', async () => {
  assert.deepEqual(await server.client.call('ServerLive'), { live: true })
  assert.deepEqual(await server.client.call('ServerReady'), { ready: true })
})

test('ServerMetadata gives name, version and extensions', async () => {
  const metadata = await server.client.call('ServerMetadata')
  assert.equal(metadata.name, 'maas')
  assert.equal(typeof metadata.version, 'string')
  assert.ok(metadata.extensions.includes('model_repository'))
})

test('ModelReady: true for a served model and version; false, as Triton answers, for unknown ones', async () => {
  assert.deepEqual(await server.client.call('ModelReady', { name: 'simple' }), { ready: true })
  assert.deepEqual(await server.client.call('ModelReady', { name: 'simple', version: '1' }), { ready: true })
  assert.deepEqual(await server.client.call('ModelReady', { name: 'nope' }), { ready: false })
  assert.deepEqual(await server.client.call('ModelReady', { name: 'simple', version: '9' }), { ready: false })
  assert.deepEqual(await server.client.call('ModelReady', { name: 'simple', version: 'nolabel' }), { ready: false }, 'an unknown label')
  assert.deepEqual(await server.client.call('ModelReady', { name: 'simple@nolabel' }), { ready: false }, 'an unknown label in the name')
})

test('ModelMetadata lists versions, platform and tensors with int64 shapes (-1 for dynamic)', async () => {
  const metadata = await server.client.call('ModelMetadata', { name: 'simple' })
  assert.deepEqual(metadata, {
    name: 'simple',
    versions: ['1'],
    platform: 'onnxruntime_onnx',
    inputs: [
      { name: 'INPUT0', datatype: 'INT32', shape: ['-1', '16'] },
      { name: 'INPUT1', datatype: 'INT32', shape: ['-1', '16'] },
    ],
    outputs: [
      { name: 'OUTPUT0', datatype: 'INT32', shape: ['-1', '16'] },
      { name: 'OUTPUT1', datatype: 'INT32', shape: ['-1', '16'] },
    ],
  })
  const versioned = await server.client.call('ModelMetadata', { name: 'versioned' })
  assert.deepEqual(versioned.versions, ['3', '2'])
  const pinned = await server.client.call('ModelMetadata', { name: 'versioned', version: '2' })
  assert.deepEqual(pinned.versions, ['2'])
})

test('ModelMetadata of an unknown model or version → NOT_FOUND', async () => {
  await expectGrpcError(server.client.call('ModelMetadata', { name: 'nope' }), status.NOT_FOUND, /model 'nope' is not found/)
  await expectGrpcError(server.client.call('ModelMetadata', { name: 'versioned', version: '1' }), status.NOT_FOUND, /version '1' of model 'versioned'/)
})

test("Health/Check answers SERVING for '' and inference.GRPCInferenceService, NOT_FOUND for other services", async () => {
  assert.deepEqual(await server.client.check(''), { status: 'SERVING' })
  assert.deepEqual(await server.client.check('inference.GRPCInferenceService'), { status: 'SERVING' })
  await expectGrpcError(server.client.check('other.Service'), status.NOT_FOUND, /unknown service 'other.Service'/)
})

test('once the data plane stops accepting, Check is NOT_SERVING and ServerReady false; ServerLive stays true', async () => {
  server.dataPlane.stopAccepting()
  assert.deepEqual(await server.client.check(''), { status: 'NOT_SERVING' })
  assert.deepEqual(await server.client.call('ServerReady'), { ready: false })
  assert.deepEqual(await server.client.call('ServerLive'), { live: true })
})
