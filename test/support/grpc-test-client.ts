/**
 * A real grpc-js client of maas's gRPC API for integration tests. It loads the same proto
 * files the server serves, with its own @grpc/proto-loader options (snake_case, 64-bit
 * integers as strings, enums as names), and lifts the client's message size limits so the
 * server's limits are the ones under test.
 */
import assert from 'node:assert/strict'
import * as grpc from '@grpc/grpc-js'
import { loadSync } from '@grpc/proto-loader'
import { PROTO_DIR } from '../../src/server/grpc/grpc-proto.ts'

const definition = loadSync(['grpc_service.proto', 'health.proto'], {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: false,
  oneofs: true,
  includeDirs: [PROTO_DIR],
})
const loaded = grpc.loadPackageDefinition(definition) as any

/** Every method of inference.GRPCInferenceService, from the proto. */
export const INFERENCE_METHODS = definition['inference.GRPCInferenceService'] as unknown as Record<
  string,
  { requestStream: boolean; responseStream: boolean }
>

export interface CallOptions {
  /** Milliseconds from now. */
  readonly deadlineMs?: number
  /** Sent as the `authorization` metadata (e.g. 'Bearer maas_…'). */
  readonly authorization?: string
}

export class GrpcTestClient {
  readonly #inference: grpc.Client & Record<string, any>
  readonly #health: grpc.Client & Record<string, any>

  constructor(address: string) {
    const options = { 'grpc.max_receive_message_length': -1, 'grpc.max_send_message_length': -1 }
    const credentials = grpc.credentials.createInsecure()
    this.#inference = new loaded.inference.GRPCInferenceService(address, credentials, options)
    this.#health = new loaded.grpc.health.v1.Health(address, credentials, options)
  }

  /** A unary call of GRPCInferenceService by method name. */
  call<T = any>(method: string, request: object = {}, options: CallOptions = {}): Promise<T> {
    return unary(this.#inference, method, request, options)
  }

  /** grpc.health.v1.Health/Check. */
  check(service: string): Promise<{ status?: string }> {
    return unary(this.#health, 'Check', { service }, {})
  }

  /** Opens ModelStreamInfer, sends `requests`, half-closes; resolves every answer and the status the stream ends with. */
  streamInfer(requests: object[], options: CallOptions = {}): Promise<{ responses: any[]; status: grpc.StatusObject }> {
    return new Promise((resolve) => {
      const metadata = new grpc.Metadata()
      if (options.authorization !== undefined) metadata.set('authorization', options.authorization)
      const callOptions = options.deadlineMs === undefined ? {} : { deadline: Date.now() + options.deadlineMs }
      const stream = this.#inference.ModelStreamInfer(metadata, callOptions) as grpc.ClientDuplexStream<object, object>
      const responses: any[] = []
      stream.on('data', (response) => responses.push(response))
      stream.on('error', () => undefined)
      stream.on('status', (status) => resolve({ responses, status }))
      for (const request of requests) stream.write(request)
      stream.end()
    })
  }

  close(): void {
    this.#inference.close()
    this.#health.close()
  }
}

function unary<T>(client: Record<string, any>, method: string, request: object, options: CallOptions): Promise<T> {
  const callOptions = options.deadlineMs === undefined ? {} : { deadline: Date.now() + options.deadlineMs }
  return new Promise((resolve, reject) => {
    const metadata = new grpc.Metadata()
    if (options.authorization !== undefined) metadata.set('authorization', options.authorization)
    client[method](request, metadata, callOptions, (error: grpc.ServiceError | null, response: T) => {
      if (error) reject(error)
      else resolve(response)
    })
  })
}

/** Awaits a call that must fail with `code`, and a message matching `pattern`; returns the error. */
export async function expectGrpcError(call: Promise<unknown>, code: grpc.status, pattern?: RegExp): Promise<grpc.ServiceError> {
  try {
    await call
  } catch (error) {
    const serviceError = error as grpc.ServiceError
    assert.equal(grpc.status[serviceError.code], grpc.status[code], serviceError.details)
    if (pattern) assert.match(serviceError.details, pattern)
    assert.doesNotMatch(serviceError.details, /at .*\.ts:\d+/, 'no stack trace leaks')
    return serviceError
  }
  assert.fail(`expected ${grpc.status[code]}, but the call succeeded`)
}

/** The bytes of a typed array as a Buffer (a view, no copy). */
export function bufferOf(view: ArrayBufferView): Buffer {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength)
}
