import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { status } from '@grpc/grpc-js'
import { buildVersionMarker, writeModel } from './support/fixture-repository.ts'
import { expectGrpcError } from './support/grpc-test-client.ts'
import { overrideDataPlane, startGrpc, startGrpcTestServer, type GrpcTestServer } from './support/grpc-test-server.ts'

let server: GrpcTestServer
before(async () => (server = await startGrpcTestServer()))
after(() => server.close())

const int8Request = { model_name: 'identity_int8', inputs: [{ name: 'INPUT', datatype: 'INT8', shape: [1], contents: { int_contents: [1] } }] }

test('RepositoryIndex lists every model and version with its state; ready: true filters', async () => {
  const { models } = await server.client.call('RepositoryIndex', {})
  assert.deepEqual(models.filter((entry: any) => entry.name === 'versioned'), [
    { name: 'versioned', version: '3', state: 'READY', reason: '' },
    { name: 'versioned', version: '2', state: 'READY', reason: '' },
  ])
  writeModel(server.http.repository, 'late', 1, buildVersionMarker(7))
  const all = await server.client.call('RepositoryIndex', {})
  assert.deepEqual(all.models.find((entry: any) => entry.name === 'late'), { name: 'late', version: '', state: 'UNAVAILABLE', reason: 'not loaded' })
  const ready = await server.client.call('RepositoryIndex', { ready: true })
  assert.ok(ready.models.length > 0 && ready.models.every((entry: any) => entry.state === 'READY'))
  assert.equal(ready.models.find((entry: any) => entry.name === 'late'), undefined)
})

test('RepositoryModelUnload makes the model UNAVAILABLE for ModelInfer and not ready; load brings it back', async () => {
  assert.deepEqual(await server.client.call('RepositoryModelUnload', { model_name: 'identity_int8' }), {})
  await expectGrpcError(server.client.call('ModelInfer', int8Request), status.UNAVAILABLE, /model 'identity_int8' is not ready/)
  assert.deepEqual(await server.client.call('ModelReady', { name: 'identity_int8' }), { ready: false })
  const { models } = await server.client.call('RepositoryIndex', {})
  assert.deepEqual(models.find((entry: any) => entry.name === 'identity_int8'), { name: 'identity_int8', version: '1', state: 'UNAVAILABLE', reason: 'unloaded' })
  assert.deepEqual(await server.client.call('RepositoryModelLoad', { model_name: 'identity_int8' }), {})
  const again = await server.client.call('ModelInfer', int8Request)
  assert.deepEqual(again.raw_output_contents[0], Buffer.from([1]))
})

test('load of a model added to the repository serves it', async () => {
  writeModel(server.http.repository, 'later', 1, buildVersionMarker(5))
  assert.deepEqual(await server.client.call('ModelReady', { name: 'later' }), { ready: false })
  await server.client.call('RepositoryModelLoad', { model_name: 'later' })
  assert.deepEqual(await server.client.call('ModelReady', { name: 'later' }), { ready: true })
})

test('load and unload of an unknown model → NOT_FOUND; load parameters → INVALID_ARGUMENT; repository_name → UNIMPLEMENTED', async () => {
  await expectGrpcError(server.client.call('RepositoryModelLoad', { model_name: 'nope' }), status.NOT_FOUND, /model 'nope' is not found/)
  await expectGrpcError(server.client.call('RepositoryModelUnload', { model_name: 'nope' }), status.NOT_FOUND, /model 'nope' is not found/)
  await expectGrpcError(
    server.client.call('RepositoryModelLoad', { model_name: 'simple', parameters: { config: { string_param: '{}' } } }),
    status.INVALID_ARGUMENT,
    /parameters config are not supported/,
  )
  for (const method of ['RepositoryIndex', 'RepositoryModelLoad', 'RepositoryModelUnload']) {
    await expectGrpcError(server.client.call(method, { repository_name: 'other', model_name: 'simple' }), status.UNIMPLEMENTED, /'repository_name' specification is not supported/)
  }
})

test('ModelStatistics counts inferences of the real data plane; unknown model → NOT_FOUND', async () => {
  await expectGrpcError(server.client.call('ModelStatistics', { name: 'nope' }), status.NOT_FOUND, /model 'nope' is not found/)
  await server.client.call('ModelInfer', int8Request)
  const { model_stats } = await server.client.call('ModelStatistics', { name: 'identity_int8' })
  assert.equal(model_stats[0].name, 'identity_int8')
  assert.equal(model_stats[0].version, '1')
  assert.ok(Number(model_stats[0].inference_stats.success.count) >= 1)
  assert.ok(Number(model_stats[0].inference_count) >= 1)
})

test('ModelStatistics encodes what the data plane reports, with its name and version filter', async () => {
  const duration = (count: number) => ({ count, ns: count * 1000 })
  let asked: unknown[] = []
  const withStatistics = overrideDataPlane(server.dataPlane, {
    modelStatistics: async (...args: unknown[]) => {
      asked = args
      return [
        {
          name: 'simple',
          version: '1',
          lastInference: 1_700_000_000_123,
          inferenceCount: 12,
          executionCount: 3,
          inferenceStats: { success: duration(3), fail: duration(1), queue: duration(3), computeInput: duration(3), computeInfer: duration(3), computeOutput: duration(3) },
          batchStats: [{ batchSize: 4, computeInput: duration(3), computeInfer: duration(3), computeOutput: duration(3) }],
        },
      ]
    },
  })
  const grpc = await startGrpc(withStatistics)
  try {
    const response = await grpc.client.call('ModelStatistics', { name: 'simple', version: '1' })
    assert.deepEqual(asked, ['simple', '1'])
    const stats = response.model_stats[0]
    assert.equal(stats.last_inference, '1700000000123')
    assert.equal(stats.inference_count, '12')
    assert.equal(stats.execution_count, '3')
    assert.deepEqual(stats.inference_stats.fail, { count: '1', ns: '1000' })
    assert.deepEqual(stats.inference_stats.compute_infer, { count: '3', ns: '3000' })
    assert.deepEqual(stats.batch_stats, [{ batch_size: '4', compute_input: { count: '3', ns: '3000' }, compute_infer: { count: '3', ns: '3000' }, compute_output: { count: '3', ns: '3000' } }])
    await grpc.client.call('ModelStatistics', {})
    assert.deepEqual(asked, [undefined, undefined])
  } finally {
    await grpc.close()
  }
})

test('a version that fails to load is UNAVAILABLE in RepositoryIndex, as in Triton, with the error as its reason', async () => {
  writeModel(server.http.repository, 'broken_grpc', 1, new TextEncoder().encode('this is not onnx'))
  await expectGrpcError(server.client.call('RepositoryModelLoad', { model_name: 'broken_grpc' }), status.INVALID_ARGUMENT, /failed to load model 'broken_grpc'/)
  const { models } = await server.client.call('RepositoryIndex', {})
  const entry = models.find((row: any) => row.name === 'broken_grpc')
  assert.equal(entry.state, 'UNAVAILABLE')
  assert.match(entry.reason, /version 1: .*ONNX/)
})
