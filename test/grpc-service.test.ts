import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { status } from '@grpc/grpc-js'
import { expectGrpcError, INFERENCE_METHODS } from './support/grpc-test-client.ts'
import { overrideDataPlane, startGrpc, startGrpcTestServer, type GrpcTestServer } from './support/grpc-test-server.ts'

let server: GrpcTestServer
before(async () => (server = await startGrpcTestServer()))
after(() => server.close())

const SERVED = new Set([
  'ServerLive',
  'ServerReady',
  'ServerMetadata',
  'ModelReady',
  'ModelMetadata',
  'ModelInfer',
  'ModelStatistics',
  'RepositoryIndex',
  'RepositoryModelLoad',
  'RepositoryModelUnload',
])

test('ModelStreamInfer → UNIMPLEMENTED, pointing to ModelInfer', async () => {
  const result = await server.client.streamInfer({ model_name: 'simple' })
  assert.equal(status[result.code], 'UNIMPLEMENTED')
  assert.match(result.details, /ModelStreamInfer is not implemented by maas: streaming inference is not supported; use ModelInfer/)
})

test('ModelConfig → UNIMPLEMENTED, pointing to ModelMetadata', async () => {
  await expectGrpcError(server.client.call('ModelConfig', { name: 'simple' }), status.UNIMPLEMENTED, /ModelConfig is not implemented by maas.*ModelMetadata/)
})

test('every other method of the proto answers UNIMPLEMENTED with its name', async () => {
  const others = Object.entries(INFERENCE_METHODS).filter(([name, method]) => !SERVED.has(name) && !method.requestStream && !method.responseStream)
  assert.ok(others.length >= 9, `only ${others.length} unserved unary methods`)
  for (const [name] of others) {
    await expectGrpcError(server.client.call(name, {}), status.UNIMPLEMENTED, new RegExp(`inference.GRPCInferenceService/${name} is not implemented by maas`))
  }
})

test('close() lets a call in flight finish within the timeout', async () => {
  const slow = overrideDataPlane(server.dataPlane, { repositoryIndex: () => new Promise((resolve) => setTimeout(() => resolve([]), 150)) })
  const grpc = await startGrpc(slow)
  const call = grpc.client.call('RepositoryIndex', {})
  await new Promise((resolve) => setTimeout(resolve, 30))
  const started = Date.now()
  await grpc.server.close(2000)
  assert.deepEqual(await call, {})
  assert.ok(Date.now() - started < 1500)
  grpc.client.close()
})

test('close() cancels calls still running after the timeout', async () => {
  const stuck = overrideDataPlane(server.dataPlane, { repositoryIndex: () => new Promise(() => undefined) })
  const grpc = await startGrpc(stuck)
  const call = grpc.client.call('RepositoryIndex', {})
  await new Promise((resolve) => setTimeout(resolve, 30))
  const started = Date.now()
  await grpc.server.close(100)
  assert.ok(Date.now() - started < 1000)
  await assert.rejects(call, (error: { code: number }) => error.code === status.CANCELLED || error.code === status.UNAVAILABLE)
  grpc.client.close()
})
