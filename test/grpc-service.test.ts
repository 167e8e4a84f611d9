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
  'ModelConfig',
  'ModelInfer',
  'ModelStreamInfer',
  'ModelStatistics',
  'RepositoryIndex',
  'RepositoryModelLoad',
  'RepositoryModelUnload',
])

const streamRequest = (id: string, value: number) => ({
  model_name: 'simple',
  id,
  inputs: [
    { name: 'INPUT0', datatype: 'INT32', shape: [1, 16], contents: { int_contents: Array(16).fill(value) } },
    { name: 'INPUT1', datatype: 'INT32', shape: [1, 16], contents: { int_contents: Array(16).fill(1) } },
  ],
})
const firstOutput = (response: any) => [...new Int32Array(new Uint8Array(response.infer_response.raw_output_contents[0]).buffer)]

test('ModelStreamInfer answers every request in the order sent, a failure as error_message with its id, and ends OK after the half-close', async () => {
  const { responses, status: ended } = await server.client.streamInfer([streamRequest('a', 1), { model_name: 'nope', id: 'b', inputs: [] }, streamRequest('c', 5)])
  assert.equal(status[ended.code], 'OK')
  assert.deepEqual(responses.map((response) => response.infer_response.id), ['a', 'b', 'c'])
  assert.deepEqual(firstOutput(responses[0]), Array(16).fill(2))
  assert.deepEqual(firstOutput(responses[2]), Array(16).fill(6))
  assert.equal(responses[0].error_message, undefined)
  assert.match(responses[1].error_message, /model 'nope' is not found/)
  assert.equal(responses[1].infer_response.model_name, 'nope')
  const empty = await server.client.streamInfer([])
  assert.equal(status[empty.status.code], 'OK')
  assert.deepEqual(empty.responses, [])
})

test('ModelStreamInfer keeps order over many pipelined requests (past the per-stream limit, so reading pauses and resumes)', async () => {
  const requests = Array.from({ length: 300 }, (_, index) => streamRequest(String(index), index))
  const { responses, status: ended } = await server.client.streamInfer(requests)
  assert.equal(status[ended.code], 'OK')
  assert.deepEqual(responses.map((response) => response.infer_response.id), requests.map((request) => request.id))
  assert.deepEqual(firstOutput(responses[299]), Array(16).fill(300))
})

test("ModelConfig: Triton's ModelConfig as the server runs it — max_batch_size, dims without the batch dimension, instance group", async () => {
  const { config } = await server.client.call('ModelConfig', { name: 'simple' })
  assert.equal(config.name, 'simple')
  assert.equal(config.platform, 'onnxruntime_onnx')
  assert.equal(config.backend, 'onnxruntime')
  assert.equal(config.max_batch_size, 8)
  assert.deepEqual(config.version_policy, { latest: { num_versions: 1 }, policy_choice: 'latest' })
  assert.deepEqual(
    config.input.map((input: { name: string; data_type: string; dims: string[] }) => [input.name, input.data_type, input.dims]),
    [['INPUT0', 'TYPE_INT32', ['16']], ['INPUT1', 'TYPE_INT32', ['16']]],
  )
  assert.deepEqual(config.output.map((output: { name: string }) => output.name), ['OUTPUT0', 'OUTPUT1'])
  assert.equal(config.instance_group[0].kind, 'KIND_CPU')
  assert.ok(Number(config.instance_group[0].count) >= 1)
  await expectGrpcError(server.client.call('ModelConfig', { name: 'nope' }), status.NOT_FOUND, /model 'nope' is not found/)
})

test('every other method of the proto answers UNIMPLEMENTED with its name', async () => {
  const others = Object.entries(INFERENCE_METHODS).filter(([name, method]) => !SERVED.has(name) && !method.requestStream && !method.responseStream)
  assert.ok(others.length >= 8, `only ${others.length} unserved unary methods`)
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
