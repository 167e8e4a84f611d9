import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { ServiceError } from '@grpc/grpc-js'
import type { ErrorCode } from '../src/core/errors.ts'
import { GRPC_STATUS } from '../src/server/grpc/grpc-status.ts'
import { HTTP_STATUS } from '../src/server/http/http-errors.ts'
import { startGrpcTestServer, type GrpcTestServer } from './support/grpc-test-server.ts'
import { postJson } from './support/test-server.ts'

let server: GrpcTestServer
before(async () => (server = await startGrpcTestServer()))
after(() => server.close())

interface Case {
  readonly name: string
  readonly model: string
  readonly version?: string
  readonly inputs: readonly { name: string; shape: number[]; values: number[] }[]
  readonly outputs?: readonly string[]
  readonly code: ErrorCode
}

const row = (n: number) => Array.from({ length: 16 * n }, (_, i) => i % 16)
const CASES: Case[] = [
  { name: 'unknown model', model: 'nope', inputs: [], code: 'NOT_FOUND' },
  { name: 'unknown version', model: 'simple', version: '7', inputs: [], code: 'NOT_FOUND' },
  { name: 'wrong shape', model: 'simple', inputs: [{ name: 'INPUT0', shape: [2, 8], values: row(1) }, { name: 'INPUT1', shape: [1, 16], values: row(1) }], code: 'INVALID_ARGUMENT' },
  { name: 'missing input', model: 'simple', inputs: [{ name: 'INPUT0', shape: [1, 16], values: row(1) }], code: 'INVALID_ARGUMENT' },
  { name: 'unknown input', model: 'simple', inputs: [{ name: 'INPUT0', shape: [1, 16], values: row(1) }, { name: 'INPUT1', shape: [1, 16], values: row(1) }, { name: 'X', shape: [1], values: [1] }], code: 'INVALID_ARGUMENT' },
  { name: 'batch sizes that differ', model: 'simple', inputs: [{ name: 'INPUT0', shape: [2, 16], values: row(2) }, { name: 'INPUT1', shape: [1, 16], values: row(1) }], code: 'INVALID_ARGUMENT' },
  { name: 'batch too big', model: 'simple', inputs: [{ name: 'INPUT0', shape: [9, 16], values: row(9) }, { name: 'INPUT1', shape: [9, 16], values: row(9) }], code: 'INVALID_ARGUMENT' },
  { name: 'unknown output', model: 'simple', inputs: [{ name: 'INPUT0', shape: [1, 16], values: row(1) }, { name: 'INPUT1', shape: [1, 16], values: row(1) }], outputs: ['OUTPUT9'], code: 'INVALID_ARGUMENT' },
]

for (const c of CASES) {
  test(`${c.name}: the same error code and message over REST and gRPC`, async () => {
    const path = `${server.http.url}/v2/models/${c.model}${c.version ? `/versions/${c.version}` : ''}/infer`
    const rest = await postJson(path, {
      inputs: c.inputs.map((input) => ({ name: input.name, datatype: 'INT32', shape: input.shape, data: input.values })),
      ...(c.outputs ? { outputs: c.outputs.map((name) => ({ name })) } : {}),
    })
    const grpcError = await server.client
      .call('ModelInfer', {
        model_name: c.model,
        model_version: c.version ?? '',
        inputs: c.inputs.map((input) => ({ name: input.name, datatype: 'INT32', shape: input.shape, contents: { int_contents: input.values } })),
        outputs: (c.outputs ?? []).map((name) => ({ name })),
      })
      .then(() => assert.fail('the gRPC call succeeded'), (error: ServiceError) => error)
    assert.equal(rest.status, HTTP_STATUS[c.code])
    assert.equal(grpcError.code, GRPC_STATUS[c.code])
    assert.equal(grpcError.details, rest.body.error)
  })
}
