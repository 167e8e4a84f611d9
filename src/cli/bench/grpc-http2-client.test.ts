import assert from 'node:assert/strict'
import { createServer, type AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import * as grpc from '@grpc/grpc-js'
import { loadGrpcServiceDefinitions } from '../../server/grpc/grpc-proto.ts'
import { grpcMessageTypes } from '../../server/grpc/grpc-message-types.ts'
import { frameGrpcMessage, GRPC_CODE, GrpcCallError, GrpcHttp2Client } from './grpc-http2-client.ts'

// A real grpc-js server: the client must interoperate with a gRPC implementation it did not write.
const definition = loadGrpcServiceDefinitions().inference
const types = grpcMessageTypes()
const metadataRequest = (name: string) => frameGrpcMessage(types.ModelMetadataRequest.encode({ name }).finish())

let server: grpc.Server
let client: GrpcHttp2Client

before(async () => {
  server = new grpc.Server()
  server.addService(definition, {
    ModelMetadata: (call: grpc.ServerUnaryCall<{ name: string }, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      if (call.request.name === 'slow') return // never answers
      if (call.request.name !== 'mlp') return callback({ code: grpc.status.NOT_FOUND, details: `model '${call.request.name}' ist nicht da: 100% sicher` })
      callback(null, { name: 'mlp', versions: ['1', '2'], platform: 'onnxruntime_onnx', inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 784] }] })
    },
  })
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  )
  client = new GrpcHttp2Client(`127.0.0.1:${port}`)
})

after(() => {
  client.close()
  server.forceShutdown()
})

async function expectCallError(call: Promise<unknown>, code: number, details?: RegExp): Promise<void> {
  await assert.rejects(call, (error: unknown) => {
    assert.ok(error instanceof GrpcCallError, String(error))
    assert.equal(error.code, code, error.message)
    if (details) assert.match(error.details, details)
    return true
  })
}

describe('GrpcHttp2Client against a grpc-js server', () => {
  it('returns the response message of a call that ends with status OK', async () => {
    const bytes = await client.unary('/inference.GRPCInferenceService/ModelMetadata', metadataRequest('mlp'))
    const response = types.ModelMetadataResponse.toObject(types.ModelMetadataResponse.decode(bytes), { longs: String }) as Record<string, any>
    assert.equal(response.name, 'mlp')
    assert.deepEqual(response.versions, ['1', '2'])
    assert.deepEqual(response.inputs[0].shape, ['-1', '784'])
  })

  it('carries many concurrent calls on its one connection', async () => {
    const calls = Array.from({ length: 50 }, () => client.unary('/inference.GRPCInferenceService/ModelMetadata', metadataRequest('mlp')))
    assert.equal((await Promise.all(calls)).length, 50)
  })

  it('rejects with the status and the percent-decoded message of a failed call', async () => {
    await expectCallError(client.unary('/inference.GRPCInferenceService/ModelMetadata', metadataRequest('nope')), GRPC_CODE.NOT_FOUND, /^model 'nope' ist nicht da: 100% sicher$/)
  })

  it('rejects with UNIMPLEMENTED for a method the server does not serve', async () => {
    await expectCallError(client.unary('/inference.GRPCInferenceService/NoSuchMethod', metadataRequest('mlp')), GRPC_CODE.UNIMPLEMENTED)
  })

  it('rejects with DEADLINE_EXCEEDED when no answer comes within the deadline', async () => {
    const started = Date.now()
    await expectCallError(client.unary('/inference.GRPCInferenceService/ModelMetadata', metadataRequest('slow'), { deadlineMs: 100 }), GRPC_CODE.DEADLINE_EXCEEDED)
    assert.ok(Date.now() - started < 2000)
  })

  it('rejects with UNAVAILABLE when nothing listens at the address', async () => {
    const probe = createServer()
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
    const { port } = probe.address() as AddressInfo
    await new Promise((resolve) => probe.close(resolve))
    const unreachable = new GrpcHttp2Client(`127.0.0.1:${port}`)
    try {
      await expectCallError(unreachable.unary('/inference.GRPCInferenceService/ModelMetadata', metadataRequest('mlp')), GRPC_CODE.UNAVAILABLE, /ECONNREFUSED/)
    } finally {
      unreachable.close()
    }
  })
})
