import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { DATATYPES, TYPED_ARRAY_OF, type Datatype } from '../src/core/datatypes.ts'
import { encodeBytesElements } from './support/binary-client.ts'
import { DATATYPE_SAMPLES } from './support/datatype-samples.ts'
import { identityModelName } from './support/fixture-repository.ts'
import { bufferOf } from './support/grpc-test-client.ts'
import { startGrpcTestServer, type GrpcTestServer } from './support/grpc-test-server.ts'

let server: GrpcTestServer
before(async () => (server = await startGrpcTestServer()))
after(() => server.close())

const utf8 = new TextEncoder()
const range16 = Array.from({ length: 16 }, (_, index) => index)

/** The typed contents a client sends for a datatype sample (FP16 has none). */
const TYPED_CONTENTS: Partial<Record<Datatype, (json: unknown[]) => object>> = {
  BOOL: (json) => ({ bool_contents: json }),
  UINT8: (json) => ({ uint_contents: json }),
  UINT16: (json) => ({ uint_contents: json }),
  UINT32: (json) => ({ uint_contents: json }),
  UINT64: (json) => ({ uint64_contents: json.map(String) }),
  INT8: (json) => ({ int_contents: json }),
  INT16: (json) => ({ int_contents: json }),
  INT32: (json) => ({ int_contents: json }),
  INT64: (json) => ({ int64_contents: json.map(String) }),
  FP32: (json) => ({ fp32_contents: json }),
  FP64: (json) => ({ fp64_contents: json }),
  BYTES: (json) => ({ bytes_contents: (json as string[]).map((text) => Buffer.from(text)) }),
}

function rawOf(datatype: Datatype): Buffer {
  const sample = DATATYPE_SAMPLES[datatype]
  return Buffer.from(datatype === 'BYTES' ? encodeBytesElements((sample.json as string[]).map((text) => utf8.encode(text))) : sample.bytes)
}

function int32s(raw: Buffer): number[] {
  return [...new Int32Array(new Uint8Array(raw).buffer)]
}

test('typed int_contents for two inputs: id, model version, all outputs as raw_output_contents', async () => {
  const response = await server.client.call('ModelInfer', {
    model_name: 'simple',
    id: '42',
    parameters: { custom: { string_param: 'yes' }, priority: { int64_param: 3 } },
    inputs: [
      { name: 'INPUT0', datatype: 'INT32', shape: [1, 16], contents: { int_contents: range16 } },
      { name: 'INPUT1', datatype: 'INT32', shape: [1, 16], contents: { int_contents: range16.map(() => 1) } },
    ],
  })
  assert.equal(response.model_name, 'simple')
  assert.equal(response.model_version, '1')
  assert.equal(response.id, '42')
  assert.deepEqual(response.outputs, [
    { name: 'OUTPUT0', datatype: 'INT32', shape: ['1', '16'] },
    { name: 'OUTPUT1', datatype: 'INT32', shape: ['1', '16'] },
  ])
  assert.equal(response.raw_output_contents.length, 2)
  assert.deepEqual(int32s(response.raw_output_contents[0]), range16.map((v) => v + 1))
  assert.deepEqual(int32s(response.raw_output_contents[1]), range16.map((v) => v - 1))
})

test('priority and timeout as 64-bit parameters beyond 2^53 are read as REST reads such JSON numbers; a negative one is refused', async () => {
  const request = {
    model_name: 'simple',
    inputs: [
      { name: 'INPUT0', datatype: 'INT32', shape: [1, 16], contents: { int_contents: range16 } },
      { name: 'INPUT1', datatype: 'INT32', shape: [1, 16], contents: { int_contents: range16 } },
    ],
  }
  const response = await server.client.call('ModelInfer', { ...request, parameters: { timeout: { uint64_param: '18446744073709551615' }, priority: { uint64_param: '9007199254740993' } } })
  assert.deepEqual(int32s(response.raw_output_contents[0]), range16.map((v) => 2 * v))
  await assert.rejects(server.client.call('ModelInfer', { ...request, parameters: { timeout: { int64_param: '-5' } } }), /parameter "timeout" must be a non-negative integer/)
})

test('raw_input_contents for two inputs, a batch of 3, and a requested output subset with parameters', async () => {
  const a = new Int32Array(48).fill(5)
  const b = new Int32Array(48).fill(2)
  const response = await server.client.call('ModelInfer', {
    model_name: 'simple',
    inputs: [
      { name: 'INPUT0', datatype: 'INT32', shape: [3, 16] },
      { name: 'INPUT1', datatype: 'INT32', shape: [3, 16] },
    ],
    outputs: [{ name: 'OUTPUT1', parameters: { binary_data: { bool_param: true } } }],
    raw_input_contents: [bufferOf(a), bufferOf(b)],
  })
  assert.equal(response.id, undefined)
  assert.deepEqual(response.outputs, [{ name: 'OUTPUT1', datatype: 'INT32', shape: ['3', '16'] }])
  assert.deepEqual(int32s(response.raw_output_contents[0]), new Array(48).fill(3))
})

for (const datatype of DATATYPES) {
  test(`${datatype} round-trips through a model in raw_input_contents`, async () => {
    const raw = rawOf(datatype)
    const response = await server.client.call('ModelInfer', {
      model_name: identityModelName(datatype),
      inputs: [{ name: 'INPUT', datatype, shape: [3] }],
      raw_input_contents: [raw],
    })
    assert.deepEqual(response.outputs, [{ name: 'OUTPUT', datatype, shape: ['3'] }])
    assert.deepEqual(response.raw_output_contents[0], raw)
  })

  const typed = TYPED_CONTENTS[datatype]
  if (typed) {
    test(`${datatype} round-trips through a model in typed contents`, async () => {
      const response = await server.client.call('ModelInfer', {
        model_name: identityModelName(datatype),
        inputs: [{ name: 'INPUT', datatype, shape: [3], contents: typed(DATATYPE_SAMPLES[datatype].json) }],
      })
      assert.equal(response.outputs[0].datatype, datatype)
      assert.deepEqual(response.raw_output_contents[0], rawOf(datatype))
    })
  }
}

test('INT64 and UINT64 typed contents carry the full 64-bit range exactly', async () => {
  const int64 = ['-9223372036854775808', '9223372036854775807', '-1']
  const signed = await server.client.call('ModelInfer', {
    model_name: 'identity_int64',
    inputs: [{ name: 'INPUT', datatype: 'INT64', shape: [3], contents: { int64_contents: int64 } }],
  })
  assert.deepEqual(new BigInt64Array(new Uint8Array(signed.raw_output_contents[0]).buffer), BigInt64Array.from(int64, BigInt))
  const uint64 = ['18446744073709551615', '0', '9007199254740993']
  const unsigned = await server.client.call('ModelInfer', {
    model_name: 'identity_uint64',
    inputs: [{ name: 'INPUT', datatype: 'UINT64', shape: [3], contents: { uint64_contents: uint64 } }],
  })
  assert.deepEqual(new BigUint64Array(new Uint8Array(unsigned.raw_output_contents[0]).buffer), BigUint64Array.from(uint64, BigInt))
})

test('raw contents at any offset in the message decode right (misaligned views are copied)', async () => {
  for (const datatype of ['FP64', 'INT64', 'FP32', 'UINT16'] as const) {
    const values = new TYPED_ARRAY_OF[datatype](5).map((_, i) => (datatype === 'INT64' ? BigInt(i * 7 - 3) : i * 3 + 1) as never)
    // A one-character id shifts every later field by one byte.
    for (const id of ['', 'x', 'xy', 'xyz']) {
      const response = await server.client.call('ModelInfer', {
        model_name: identityModelName(datatype),
        id,
        inputs: [{ name: 'INPUT', datatype, shape: [5] }],
        raw_input_contents: [bufferOf(values)],
      })
      assert.deepEqual(response.raw_output_contents[0], bufferOf(values), `${datatype} id '${id}'`)
    }
  }
})

test('an empty tensor (shape [0]) needs no contents', async () => {
  const response = await server.client.call('ModelInfer', {
    model_name: 'identity_fp32',
    inputs: [{ name: 'INPUT', datatype: 'FP32', shape: [0] }],
  })
  assert.deepEqual(response.outputs[0].shape, ['0'])
})

test('a pinned model version runs that version', async () => {
  const response = await server.client.call('ModelInfer', {
    model_name: 'versioned',
    model_version: '2',
    inputs: [{ name: 'INPUT', datatype: 'FP32', shape: [1, 4], contents: { fp32_contents: [1, 1, 1, 1] } }],
  })
  assert.equal(response.model_version, '2')
  assert.deepEqual([...new Float32Array(new Uint8Array(response.raw_output_contents[0]).buffer)], [3, 3, 3, 3])
})

test('the same request gives the same numbers over gRPC and REST', async () => {
  const data = Array.from({ length: 16 }, (_, i) => (i % 5) / 5)
  const grpcResponse = await server.client.call('ModelInfer', {
    model_name: 'mlp',
    inputs: [{ name: 'input', datatype: 'FP32', shape: [2, 8], contents: { fp32_contents: data } }],
  })
  const rest = await fetch(`${server.http.url}/v2/models/mlp/infer`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [2, 8], data }] }),
  })
  const json = (await rest.json()) as { outputs: { data: number[]; shape: number[] }[] }
  assert.deepEqual(grpcResponse.outputs[0].shape.map(Number), json.outputs[0]!.shape)
  assert.deepEqual([...new Float32Array(new Uint8Array(grpcResponse.raw_output_contents[0]).buffer)], json.outputs[0]!.data)
})

test('classification extension over gRPC: int64_param count, BYTES raw output with "value:index:label"', async () => {
  const data = Array.from({ length: 8 }, (_, index) => index / 8)
  const request = { model_name: 'mlp', inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 8], contents: { fp32_contents: data } }] }
  const plain = await server.client.call('ModelInfer', request)
  const probabilities = [...new Float32Array(new Uint8Array(plain.raw_output_contents[0]).buffer)]
  const best = probabilities.indexOf(Math.max(...probabilities))
  const response = await server.client.call('ModelInfer', { ...request, outputs: [{ name: 'probabilities', parameters: { classification: { int64_param: 1 } } }] })
  assert.deepEqual(response.outputs, [{ name: 'probabilities', datatype: 'BYTES', shape: ['1', '1'] }])
  const text = `${probabilities[best]!.toFixed(6)}:${best}:${'abc'[best]}`
  assert.deepEqual(response.raw_output_contents[0], Buffer.from(encodeBytesElements([utf8.encode(text)])))
})
