import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { deflateSync, gzipSync } from 'node:zlib'
import { postJson, requestJson, startTestServer, type TestServer } from './support/test-server.ts'

let server: TestServer
before(async () => (server = await startTestServer({ maxBodyBytes: 4096 })))
after(() => server.close())

const range16 = Array.from({ length: 16 }, (_, index) => index)
const input0 = { name: 'INPUT0', shape: [1, 16], datatype: 'INT32', data: range16 }
const input1 = { name: 'INPUT1', shape: [1, 16], datatype: 'INT32', data: range16 }

async function expectError(body: unknown, status: number, pattern: RegExp, model = 'simple') {
  const response = await postJson(`${server.url}/v2/models/${model}/infer`, body)
  assert.equal(response.status, status, JSON.stringify(response.body))
  assert.equal(typeof response.body.error, 'string')
  assert.match(response.body.error, pattern)
  assert.doesNotMatch(response.body.error, /at .*\.ts:\d+/, 'no stack trace leaks')
}

test('unknown model → 404, unknown version → 404', async () => {
  await expectError({ inputs: [input0, input1] }, 404, /model 'nope' is not found/, 'nope')
  const response = await postJson(`${server.url}/v2/models/simple/versions/7/infer`, { inputs: [input0, input1] })
  assert.equal(response.status, 404)
  assert.match(response.body.error, /version '7' of model 'simple' is not found/)
})

test('bad JSON and non-object bodies → 400', async () => {
  const response = await requestJson(`${server.url}/v2/models/simple/infer`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"inputs": [' })
  assert.equal(response.status, 400)
  assert.match(response.body.error, /JSON/)
  await expectError([1, 2], 400, /object/)
  await expectError({}, 400, /inputs/)
})

test('wrong datatype names the tensor and the expected type', async () => {
  await expectError({ inputs: [{ ...input0, datatype: 'FP32' }, input1] }, 400, /input 'INPUT0' has datatype FP32; the model expects INT32/)
  await expectError({ inputs: [{ ...input0, datatype: 'FLOAT' }, input1] }, 400, /INPUT0.*datatype/)
})

test('shape that does not match the signature names the tensor and the expected shape', async () => {
  await expectError(
    { inputs: [{ ...input0, shape: [2, 8] }, input1] },
    400,
    /input 'INPUT0' has shape \[2, 8\]; the model expects \[-1, 16\]/,
  )
  await expectError({ inputs: [{ ...input0, shape: [16] }, input1] }, 400, /INPUT0.*\[-1, 16\]/)
})

test('shape that does not match the data length → 400 with both numbers', async () => {
  await expectError({ inputs: [{ ...input0, shape: [2, 16] }, input1] }, 400, /INPUT0.*32.*16|INPUT0.*16.*32/)
})

test('inputs with different batch sizes → 400 (no broadcasting between the rows of a batch)', async () => {
  await expectError(
    { inputs: [{ ...input0, shape: [2, 16], data: [range16, range16] }, input1] },
    400,
    /input 'INPUT1' has a batch of 1 but input 'INPUT0' has 2/,
  )
})

test('batch above max_batch_size → 400', async () => {
  const rows = Array.from({ length: 9 }, () => range16)
  await expectError(
    { inputs: [{ ...input0, shape: [9, 16], data: rows }, { ...input1, shape: [9, 16], data: rows }] },
    400,
    /batch of 9; the model's max_batch_size is 8/,
  )
})

test('missing input, unknown input, duplicate input → 400 naming it', async () => {
  await expectError({ inputs: [input0] }, 400, /missing input 'INPUT1'/)
  await expectError({ inputs: [input0, input1, { ...input0, name: 'EXTRA' }] }, 400, /'EXTRA'.*expected inputs: INPUT0, INPUT1/)
  await expectError({ inputs: [input0, input0, input1] }, 400, /INPUT0.*more than once|duplicate.*INPUT0/)
})

test('unknown requested output → 400 naming it and the outputs', async () => {
  await expectError({ inputs: [input0, input1], outputs: [{ name: 'OUTPUT9' }] }, 400, /OUTPUT9.*OUTPUT0, OUTPUT1/)
})

test('values out of the datatype range or of the wrong kind → 400', async () => {
  await expectError({ inputs: [{ ...input0, data: [...range16.slice(1), 1.5] }, input1] }, 400, /INPUT0/)
  await expectError({ inputs: [{ ...input0, data: [...range16.slice(1), 'x'] }, input1] }, 400, /INPUT0/)
  await expectError({ inputs: [{ ...input0, data: [...range16.slice(1), 2 ** 40] }, input1] }, 400, /INPUT0/)
})

test('binary data size that does not match the datatype → 400', async () => {
  const header = Buffer.from(JSON.stringify({ inputs: [{ name: 'INPUT', datatype: 'FP32', shape: [2], parameters: { binary_data_size: 7 } }] }))
  const response = await requestJson(`${server.url}/v2/models/identity_fp32/infer`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/octet-stream', 'Inference-Header-Content-Length': String(header.length) },
    body: Buffer.concat([header, Buffer.alloc(7)]),
  })
  assert.equal(response.status, 400)
  assert.match(response.body.error, /INPUT/)
})

test('Inference-Header-Content-Length longer than the body or not a number → 400', async () => {
  for (const value of ['9999', 'abc', '-1']) {
    const response = await requestJson(`${server.url}/v2/models/identity_fp32/infer`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream', 'Inference-Header-Content-Length': value },
      body: '{"inputs":[]}',
    })
    assert.equal(response.status, 400, value)
    assert.match(response.body.error, /Inference-Header-Content-Length|header/i, value)
  }
})

test('raw binary request for a multi-input model → 400', async () => {
  const response = await requestJson(`${server.url}/v2/models/simple/infer`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/octet-stream', 'Inference-Header-Content-Length': '0' },
    body: Buffer.alloc(64),
  })
  assert.equal(response.status, 400)
  assert.match(response.body.error, /exactly one input/)
})

test('body over the configured limit → 413, by Content-Length and when streamed', async () => {
  const big = JSON.stringify({ inputs: [{ ...input0, data: new Array(5000).fill(1) }] })
  const declared = await requestJson(`${server.url}/v2/models/simple/infer`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: big })
  assert.equal(declared.status, 413)
  assert.match(declared.body.error, /4096 bytes/)
  const stream = new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(big))
      controller.close()
    },
  })
  const streamed = await requestJson(`${server.url}/v2/models/simple/infer`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: stream,
    duplex: 'half',
  } as RequestInit)
  assert.equal(streamed.status, 413)
})

test('unsupported content type → 415', async () => {
  const response = await requestJson(`${server.url}/v2/models/simple/infer`, {
    method: 'POST',
    headers: { 'Content-Type': 'multipart/form-data; boundary=x' },
    body: '--x--',
  })
  assert.equal(response.status, 415)
  assert.match(response.body.error, /multipart\/form-data/)
})

test('the server keeps serving after every bad request above', async () => {
  const response = await postJson(`${server.url}/v2/models/simple/infer`, { inputs: [input0, input1] })
  assert.equal(response.status, 200)
})

test('Content-Encoding gzip and deflate bodies are read; the limit holds after decompression; other codings → 415', async () => {
  const body = JSON.stringify({ inputs: [input0, input1] })
  const send = (encoding: string, bytes: Uint8Array) =>
    fetch(`${server.url}/v2/models/simple/infer`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Encoding': encoding }, body: bytes })
  for (const [encoding, bytes] of [['gzip', gzipSync(body)], ['deflate', deflateSync(body)]] as const) {
    const response = await send(encoding, bytes)
    assert.equal(response.status, 200, encoding)
    assert.deepEqual(((await response.json()) as { outputs: { data: number[] }[] }).outputs[0]!.data, range16.map((value) => value * 2))
  }
  const bomb = await send('gzip', gzipSync(Buffer.alloc(64 * 1024, 32)))
  assert.equal(bomb.status, 413, 'the server limit is 4096 bytes, decompressed')
  const corrupt = await send('gzip', Buffer.from('not gzip at all'))
  assert.equal(corrupt.status, 400)
  assert.match(((await corrupt.json()) as { error: string }).error, /gzip request body cannot be decompressed/)
  const brotli = await send('br', Buffer.from(body))
  assert.equal(brotli.status, 415)
  assert.match(((await brotli.json()) as { error: string }).error, /unsupported Content-Encoding 'br'/)
  for (const name of ['constructor', '__proto__', 'toString']) assert.equal((await send(name, Buffer.from(body))).status, 415, name)
  assert.equal((await send(' Identity', Buffer.from(body))).status, 200)
  assert.equal((await send('GZIP', gzipSync(body))).status, 200)
})
