import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { DATATYPES } from '../src/core/datatypes.ts'
import { decodeBinaryResponse, encodeBinaryRequest, encodeBytesElements } from './support/binary-client.ts'
import { DATATYPE_SAMPLES } from './support/datatype-samples.ts'
import { identityModelName } from './support/fixture-repository.ts'
import { postJson, startTestServer, type TestServer } from './support/test-server.ts'

let server: TestServer
before(async () => (server = await startTestServer()))
after(() => server.close())

const range16 = Array.from({ length: 16 }, (_, index) => index)

test('the spec example shape: id, parameters and requested outputs round-trip in JSON', async () => {
  const { status, headers, body } = await postJson(`${server.url}/v2/models/simple/infer`, {
    id: '42',
    parameters: { custom: 'yes' },
    inputs: [
      { name: 'INPUT0', shape: [1, 16], datatype: 'INT32', data: range16 },
      { name: 'INPUT1', shape: [1, 16], datatype: 'INT32', data: range16.map(() => 1) },
    ],
    outputs: [{ name: 'OUTPUT1' }],
  })
  assert.equal(status, 200)
  assert.equal(headers.get('content-type'), 'application/json')
  assert.equal(body.id, '42')
  assert.equal(body.model_name, 'simple')
  assert.equal(body.model_version, '1')
  assert.deepEqual(body.outputs, [{ name: 'OUTPUT1', datatype: 'INT32', shape: [1, 16], data: range16.map((v) => v - 1) }])
})

test('all outputs by default, nested data accepted, dynamic batch of 3', async () => {
  const rows = [range16, range16, range16]
  const { status, body } = await postJson(`${server.url}/v2/models/simple/infer`, {
    inputs: [
      { name: 'INPUT0', shape: [3, 16], datatype: 'INT32', data: rows },
      { name: 'INPUT1', shape: [3, 16], datatype: 'INT32', data: rows },
    ],
  })
  assert.equal(status, 200)
  assert.equal(body.id, undefined)
  assert.deepEqual(body.outputs.map((o: any) => [o.name, o.shape]), [['OUTPUT0', [3, 16]], ['OUTPUT1', [3, 16]]])
  assert.deepEqual(body.outputs[0].data.slice(0, 4), [0, 2, 4, 6])
})

for (const datatype of DATATYPES) {
  test(`${datatype} round-trips through a model in JSON`, async () => {
    const sample = DATATYPE_SAMPLES[datatype]
    const { status, body } = await postJson(`${server.url}/v2/models/${identityModelName(datatype)}/infer`, {
      inputs: [{ name: 'INPUT', shape: [3], datatype, data: sample.json }],
    })
    assert.equal(status, 200, JSON.stringify(body))
    assert.equal(body.outputs[0].datatype, datatype)
    assert.deepEqual(body.outputs[0].shape, [3])
    assert.deepEqual(body.outputs[0].data, sample.json)
  })

  test(`${datatype} round-trips through a model in the binary extension`, async () => {
    const sample = DATATYPE_SAMPLES[datatype]
    const bytes =
      datatype === 'BYTES' ? encodeBytesElements((sample.json as string[]).map((text) => new TextEncoder().encode(text))) : sample.bytes
    const { body, headers } = encodeBinaryRequest([{ name: 'INPUT', datatype, shape: [3], bytes }], { parameters: { binary_data_output: true } })
    const response = await fetch(`${server.url}/v2/models/${identityModelName(datatype)}/infer`, { method: 'POST', headers, body })
    assert.equal(response.status, 200)
    assert.equal(response.headers.get('content-type'), 'application/octet-stream')
    const headerLength = Number(response.headers.get('inference-header-content-length'))
    const decoded = decodeBinaryResponse(Buffer.from(await response.arrayBuffer()), headerLength)
    assert.equal(decoded.json.outputs[0].datatype, datatype)
    assert.deepEqual(new Uint8Array(decoded.binary.get('OUTPUT')!), bytes)
  })
}

test('binary inputs with JSON outputs, and a per-output binary_data override', async () => {
  const a = new Int32Array(16).fill(5)
  const b = new Int32Array(16).fill(2)
  const { body, headers } = encodeBinaryRequest(
    [
      { name: 'INPUT0', datatype: 'INT32', shape: [1, 16], bytes: new Uint8Array(a.buffer) },
      { name: 'INPUT1', datatype: 'INT32', shape: [1, 16], bytes: new Uint8Array(b.buffer) },
    ],
    { outputs: [{ name: 'OUTPUT0', parameters: { binary_data: true } }, { name: 'OUTPUT1' }] },
  )
  const response = await fetch(`${server.url}/v2/models/simple/infer`, { method: 'POST', headers, body })
  assert.equal(response.status, 200)
  const decoded = decodeBinaryResponse(Buffer.from(await response.arrayBuffer()), Number(response.headers.get('inference-header-content-length')))
  assert.deepEqual([...new Int32Array(new Uint8Array(decoded.binary.get('OUTPUT0')!).buffer)], new Array(16).fill(7))
  assert.deepEqual(decoded.json.outputs[1].data, new Array(16).fill(3))
})

test('a raw binary request (Inference-Header-Content-Length: 0) for a single-input model', async () => {
  const input = new Float32Array([1, 2, 3, 4])
  const response = await fetch(`${server.url}/v2/models/identity_fp32/infer`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/octet-stream', 'Inference-Header-Content-Length': '0' },
    body: Buffer.from(input.buffer),
  })
  assert.equal(response.status, 200)
  const decoded = decodeBinaryResponse(Buffer.from(await response.arrayBuffer()), Number(response.headers.get('inference-header-content-length')))
  assert.deepEqual(decoded.json.outputs[0].shape, [4])
  assert.deepEqual([...new Float32Array(new Uint8Array(decoded.binary.get('OUTPUT')!).buffer)], [1, 2, 3, 4])
})

test('the MLP gives probabilities that sum to one per row', async () => {
  const { status, body } = await postJson(`${server.url}/v2/models/mlp/infer`, {
    inputs: [{ name: 'input', shape: [2, 8], datatype: 'FP32', data: new Array(16).fill(0.5) }],
  })
  assert.equal(status, 200)
  const [first, second] = [body.outputs[0].data.slice(0, 3), body.outputs[0].data.slice(3)]
  for (const row of [first, second]) assert.ok(Math.abs(row.reduce((a: number, b: number) => a + b, 0) - 1) < 1e-5)
})

test('BYTES elements that are not UTF-8 text, or hold a NUL byte, get 400 instead of being altered on the way to the model', async () => {
  const url = `${server.url}/v2/models/${identityModelName('BYTES')}/infer`
  const nul = await postJson(url, { inputs: [{ name: 'INPUT', shape: [2], datatype: 'BYTES', data: ['ok', 'a\u0000b'] }] })
  assert.equal(nul.status, 400)
  assert.match(nul.body.error, /input 'INPUT' element 1 holds a NUL byte; .*base64/)
  const bytes = encodeBytesElements([Uint8Array.of(0x89, 0x50, 0x4e, 0x47)])
  const { body, headers } = encodeBinaryRequest([{ name: 'INPUT', datatype: 'BYTES', shape: [1], bytes }])
  const response = await fetch(url, { method: 'POST', headers, body })
  assert.equal(response.status, 400)
  assert.match(((await response.json()) as { error: string }).error, /element 0 holds bytes that are not UTF-8/)
})

test('classification extension: the top classes as "value:index:label" BYTES, per batch row, in JSON and binary', async () => {
  const url = `${server.url}/v2/models/mlp/infer`
  const inputs = [{ name: 'input', shape: [2, 8], datatype: 'FP32', data: Array.from({ length: 16 }, (_, index) => (index % 5) / 4) }]
  const plain = await postJson(url, { inputs })
  assert.equal(plain.status, 200)
  const rows: number[][] = [plain.body.outputs[0].data.slice(0, 3), plain.body.outputs[0].data.slice(3)]
  const expected = rows.flatMap((row) =>
    row
      .map((value, index) => ({ value, index }))
      .sort((a, b) => b.value - a.value || a.index - b.index)
      .slice(0, 2)
      .map(({ value, index }) => `${value.toFixed(6)}:${index}:${'abc'[index]}`),
  )
  const classified = await postJson(url, { inputs, outputs: [{ name: 'probabilities', parameters: { classification: 2 } }] })
  assert.equal(classified.status, 200, JSON.stringify(classified.body))
  assert.deepEqual(classified.body.outputs[0], { name: 'probabilities', datatype: 'BYTES', shape: [2, 2], data: expected })

  const { body, headers } = encodeBinaryRequest([{ name: 'input', datatype: 'FP32', shape: [2, 8], bytes: new Uint8Array(Float32Array.from(inputs[0]!.data).buffer) }], {
    outputs: [{ name: 'probabilities', parameters: { classification: 2, binary_data: true } }],
  })
  const response = await fetch(url, { method: 'POST', headers, body })
  assert.equal(response.status, 200)
  const decoded = decodeBinaryResponse(Buffer.from(await response.arrayBuffer()), Number(response.headers.get('inference-header-content-length')))
  assert.deepEqual(new Uint8Array(decoded.binary.get('probabilities')!), encodeBytesElements(expected.map((text) => new TextEncoder().encode(text))))

  const bad = await postJson(url, { inputs, outputs: [{ name: 'probabilities', parameters: { classification: 0 } }] })
  assert.equal(bad.status, 400)
  assert.match(bad.body.error, /"classification" must be a positive integer/)
})
