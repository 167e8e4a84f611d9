import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Datatype } from '../../../core/datatypes.ts'
import { toFloat16Bits } from '../../../core/float16.ts'
import type { InferRequest, InferResponse, Tensor, TensorData } from '../../../core/tensor.ts'
import { decodeInferRequest } from './kserve-request-decoder.ts'
import { encodeInferResponse } from './kserve-response-encoder.ts'

const utf8 = new TextEncoder()

function response(...outputs: Tensor[]): InferResponse {
  return { modelName: 'm', modelVersion: '1', outputs }
}

function tensor(name: string, datatype: Datatype, data: TensorData, shape: number[] = [data.length]): Tensor {
  return { name, datatype, shape, data }
}

interface WireOutput {
  name: string
  datatype: string
  shape: number[]
  data?: unknown[]
  parameters?: Record<string, unknown>
}

/** Splits an encoded body the way a Triton client does: JSON header, then each binary output in order. */
function readBody(encoded: { body: Buffer; headers: Record<string, string> }) {
  const headerLength = Number(encoded.headers['Inference-Header-Content-Length'] ?? encoded.body.length)
  const header = JSON.parse(encoded.body.toString('utf8', 0, headerLength)) as Record<string, unknown> & { outputs: WireOutput[] }
  const binary = new Map<string, Buffer>()
  let offset = headerLength
  for (const output of header.outputs) {
    const size = output.parameters?.binary_data_size
    if (typeof size !== 'number') continue
    binary.set(output.name, encoded.body.subarray(offset, offset + size))
    offset += size
  }
  assert.equal(offset, encoded.body.length, 'binary sizes add up to the body')
  return { header, binary }
}

function bytesOf(view: ArrayBufferView): Buffer {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength)
}

const CASES: [Datatype, TensorData, unknown[]][] = [
  ['BOOL', new Uint8Array([1, 0, 1]), [true, false, true]],
  ['UINT8', new Uint8Array([0, 255, 7]), [0, 255, 7]],
  ['UINT16', new Uint16Array([0, 65535, 7]), [0, 65535, 7]],
  ['UINT32', new Uint32Array([0, 4294967295, 7]), [0, 4294967295, 7]],
  ['UINT64', new BigUint64Array([0n, 2n ** 53n, 7n]), [0, 2 ** 53, 7]],
  ['INT8', new Int8Array([-128, 127, 0]), [-128, 127, 0]],
  ['INT16', new Int16Array([-32768, 32767, 0]), [-32768, 32767, 0]],
  ['INT32', new Int32Array([-2147483648, 2147483647, 0]), [-2147483648, 2147483647, 0]],
  ['INT64', new BigInt64Array([-(2n ** 53n), 2n ** 53n, -1n]), [-(2 ** 53), 2 ** 53, -1]],
  ['FP16', new Uint16Array([1, -2.5, 65504].map(toFloat16Bits)), [1, -2.5, 65504]],
  ['FP32', new Float32Array([1.5, -2, 0.25]), [1.5, -2, 0.25]],
  ['FP64', new Float64Array([1.5, -2, 0.1]), [1.5, -2, 0.1]],
  ['BYTES', ['héllo', '', '日本🙂'].map((s) => utf8.encode(s)), ['héllo', '', '日本🙂']],
]

describe('encodeInferResponse as JSON', () => {
  for (const [datatype, data, expected] of CASES) {
    it(`writes ${datatype} as a flat JSON array`, () => {
      const encoded = encodeInferResponse(response(tensor('y', datatype, data)), { inputs: [] })
      assert.deepEqual(encoded.headers, { 'Content-Type': 'application/json' })
      assert.deepEqual(JSON.parse(encoded.body.toString()), {
        model_name: 'm',
        model_version: '1',
        outputs: [{ name: 'y', shape: [3], datatype, data: expected }],
      })
    })
  }

  it('writes the exact digits of 64-bit integers beyond 2^53', () => {
    const text = encodeInferResponse(
      response(tensor('a', 'INT64', new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n])), tensor('b', 'UINT64', new BigUint64Array([2n ** 64n - 1n]))),
      { inputs: [] },
    ).body.toString()
    assert.match(text, /"data":\[-9223372036854775808,9223372036854775807\]/)
    assert.match(text, /"data":\[18446744073709551615\]/)
  })

  it('writes non-finite floats as "NaN", "Infinity" and "-Infinity" strings', () => {
    const values = [NaN, Infinity, -Infinity, 1]
    const encoded = encodeInferResponse(
      response(tensor('f32', 'FP32', new Float32Array(values)), tensor('f64', 'FP64', new Float64Array(values)), tensor('f16', 'FP16', new Uint16Array(values.map(toFloat16Bits)))),
      { inputs: [] },
    )
    const { header } = readBody(encoded)
    for (const output of header.outputs) assert.deepEqual(output.data, ['NaN', 'Infinity', '-Infinity', 1])
  })

  it('round-trips through the request decoder, non-finite floats and 64-bit strings included', () => {
    const outputs = [
      ...CASES.map(([datatype, data]) => tensor(datatype.toLowerCase(), datatype, data)),
      tensor('nan', 'FP32', new Float32Array([NaN, -Infinity])),
      tensor('big', 'INT64', new BigInt64Array([2n ** 63n - 1n])),
    ]
    const { header } = readBody(encodeInferResponse(response(...outputs), { inputs: [] }))
    // The big INT64 is exact in the text; JSON.parse would round it, so give it back as a string.
    header.outputs.at(-1)!.data = ['9223372036854775807']
    const decoded = decodeInferRequest(Buffer.from(JSON.stringify({ inputs: header.outputs })), undefined)
    assert.deepEqual(decoded.inputs, outputs)
  })

  it('keeps shape, names that need escaping, parameters, and id only when the request had one', () => {
    const out: Tensor = { name: 'y"\n', datatype: 'FP32', shape: [2, 1], data: new Float32Array([1, 2]), parameters: { content_type: 'np' } }
    const withId = encodeInferResponse({ ...response(out), parameters: { took_ms: 3 } }, { id: 'req-1', inputs: [] })
    assert.deepEqual(JSON.parse(withId.body.toString()), {
      model_name: 'm',
      model_version: '1',
      id: 'req-1',
      parameters: { took_ms: 3 },
      outputs: [{ name: 'y"\n', shape: [2, 1], datatype: 'FP32', parameters: { content_type: 'np' }, data: [1, 2] }],
    })
    const withoutId = JSON.parse(encodeInferResponse({ ...response(), id: 'ignored', modelVersion: '' }, { inputs: [] }).body.toString())
    assert.deepEqual(withoutId, { model_name: 'm', outputs: [] })
  })
})

describe('encodeInferResponse with binary data', () => {
  for (const [datatype, data] of CASES) {
    it(`appends ${datatype} as binary data after the JSON`, () => {
      const encoded = encodeInferResponse(response(tensor('y', datatype, data)), { inputs: [], parameters: { binary_data_output: true } })
      assert.equal(encoded.headers['Content-Type'], 'application/octet-stream')
      const { header, binary } = readBody(encoded)
      const output = header.outputs[0]!
      assert.equal(output.data, undefined)
      const bytes = binary.get('y')!
      if (datatype !== 'BYTES') {
        assert.deepEqual(bytes, bytesOf(data as Exclude<TensorData, Uint8Array[]>))
        return
      }
      const strings: string[] = []
      for (let offset = 0; offset < bytes.length; ) {
        const length = bytes.readUInt32LE(offset)
        strings.push(bytes.toString('utf8', offset + 4, offset + 4 + length))
        offset += 4 + length
      }
      assert.deepEqual(strings, ['héllo', '', '日本🙂'])
    })
  }

  it('answers the spec example: a [3, 2] FP32 output0 in 24 bytes, as requested by binary_data', () => {
    const values = new Float32Array([1, 1.1, 2, 2.1, 3, 3.1])
    const request: InferRequest = { inputs: [], outputs: [{ name: 'output0', parameters: { binary_data: true } }] }
    const encoded = encodeInferResponse(response(tensor('output0', 'FP32', values, [3, 2])), request)
    const headerLength = Number(encoded.headers['Inference-Header-Content-Length'])
    assert.equal(encoded.body.length, headerLength + 24)
    const { header, binary } = readBody(encoded)
    assert.deepEqual(header.outputs, [{ name: 'output0', shape: [3, 2], datatype: 'FP32', parameters: { binary_data_size: 24 } }])
    assert.deepEqual(new Float32Array(new Uint8Array(binary.get('output0')!).buffer), values)
  })

  it('lets binary_data on one output override binary_data_output, in output order', () => {
    const outputs = [tensor('a', 'INT32', new Int32Array([1])), tensor('b', 'INT32', new Int32Array([2])), tensor('c', 'INT32', new Int32Array([3]))]
    const request: InferRequest = {
      inputs: [],
      parameters: { binary_data_output: true },
      outputs: [{ name: 'b', parameters: { binary_data: false } }, { name: 'a' }],
    }
    const { header, binary } = readBody(encodeInferResponse(response(...outputs), request))
    assert.deepEqual(header.outputs[1], { name: 'b', shape: [1], datatype: 'INT32', data: [2] })
    assert.deepEqual([...binary.keys()], ['a', 'c'])
    assert.deepEqual(binary.get('c'), bytesOf(new Int32Array([3])))
  })

  it('sends only the outputs that ask for it in binary when binary_data_output is absent or false', () => {
    const outputs = [tensor('a', 'FP32', new Float32Array([1])), tensor('b', 'FP32', new Float32Array([2]))]
    for (const parameters of [undefined, { binary_data_output: false }]) {
      const request: InferRequest = { inputs: [], ...(parameters && { parameters }), outputs: [{ name: 'b', parameters: { binary_data: true } }] }
      const { header, binary } = readBody(encodeInferResponse(response(...outputs), request))
      assert.deepEqual(header.outputs[0]!.data, [1])
      assert.deepEqual([...binary.keys()], ['b'])
    }
  })

  it('writes binary data from views into a larger buffer at an odd offset', () => {
    const backing = new Uint8Array(64).fill(0xee)
    backing.set(bytesOf(new Float32Array([7, 8])), 4)
    const view = new Float32Array(backing.buffer, 4, 2)
    const { binary } = readBody(encodeInferResponse(response(tensor('v', 'FP32', view)), { inputs: [], parameters: { binary_data_output: true } }))
    assert.deepEqual(binary.get('v'), bytesOf(new Float32Array([7, 8])))
  })

  it('round-trips a binary response through the request decoder', () => {
    const outputs = CASES.map(([datatype, data]) => tensor(datatype.toLowerCase(), datatype, data))
    const encoded = encodeInferResponse(response(...outputs), { inputs: [], parameters: { binary_data_output: true } })
    const headerLength = Number(encoded.headers['Inference-Header-Content-Length'])
    const header = JSON.parse(encoded.body.toString('utf8', 0, headerLength)) as { outputs: unknown[] }
    const asRequest = Buffer.from(JSON.stringify({ inputs: header.outputs }))
    const decoded = decodeInferRequest(Buffer.concat([asRequest, encoded.body.subarray(headerLength)]), asRequest.length)
    assert.deepEqual(decoded.inputs.map(({ name, datatype, shape, data }) => ({ name, datatype, shape, data })), outputs)
  })
})
