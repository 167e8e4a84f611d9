import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { InvalidArgumentError } from '../../../core/errors.ts'
import { toFloat16Bits } from '../../../core/float16.ts'
import { decodeInferRequest, type TensorSpecLike } from './kserve-request-decoder.ts'

const utf8 = new TextEncoder()

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value))
}

function oneInput(input: Record<string, unknown>): Buffer {
  return json({ inputs: [{ name: 'x', ...input }] })
}

/** JSON header followed by binary chunks, as a Triton client sends it. */
function withBinary(header: unknown, ...chunks: Uint8Array[]): { body: Buffer; headerLength: number } {
  const head = json(header)
  return { body: Buffer.concat([head, ...chunks]), headerLength: head.length }
}

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength)
}

function rejects(body: Buffer, pattern: RegExp, headerLength?: number, raw?: TensorSpecLike): void {
  assert.throws(
    () => decodeInferRequest(body, headerLength, raw),
    (error: unknown) => error instanceof InvalidArgumentError && pattern.test(error.message),
  )
}

const JSON_CASES = [
  ['BOOL', [true, false, 1, 0], new Uint8Array([1, 0, 1, 0])],
  ['UINT8', [0, 255, 7, 1], new Uint8Array([0, 255, 7, 1])],
  ['UINT16', [0, 65535, 7, 1], new Uint16Array([0, 65535, 7, 1])],
  ['UINT32', [0, 4294967295, 7, 1], new Uint32Array([0, 4294967295, 7, 1])],
  ['UINT64', [0, 2 ** 53, '18446744073709551615', 1], new BigUint64Array([0n, 2n ** 53n, 2n ** 64n - 1n, 1n])],
  ['INT8', [-128, 127, 0, -1], new Int8Array([-128, 127, 0, -1])],
  ['INT16', [-32768, 32767, 0, -1], new Int16Array([-32768, 32767, 0, -1])],
  ['INT32', [-2147483648, 2147483647, 0, -1], new Int32Array([-2147483648, 2147483647, 0, -1])],
  ['INT64', [-(2 ** 53), '-9223372036854775808', '9223372036854775807', 3], new BigInt64Array([-(2n ** 53n), -(2n ** 63n), 2n ** 63n - 1n, 3n])],
  ['FP16', [1, -2.5, 65504, 0.1], new Uint16Array([1, -2.5, 65504, 0.1].map(toFloat16Bits))],
  ['FP32', [1.5, -2, 0.1, 3e38], new Float32Array([1.5, -2, 0.1, 3e38])],
  ['FP64', [1.5, -2, 0.1, 1e300], new Float64Array([1.5, -2, 0.1, 1e300])],
] as const

describe('decodeInferRequest with JSON data', () => {
  it('keeps INT64 and UINT64 JSON numbers beyond 2^53 exact, nested, flat or scanned (a body over 1 KiB)', () => {
    const text = (data: string, padding = '') =>
      Buffer.from(`{"id":"${padding}","inputs":[{"name":"x","datatype":"INT64","shape":[2,2],"data":${data}},{"name":"u","datatype":"UINT64","shape":[1],"data":[18446744073709551615]}]}`)
    const expected = new BigInt64Array([9007199254740993n, -9223372036854775808n, 9223372036854775807n, 1n])
    for (const body of [text('[[9007199254740993,-9223372036854775808],[9223372036854775807,1]]'), text('[9007199254740993,-9223372036854775808,9223372036854775807,1]', 'p'.repeat(2000))]) {
      const request = decodeInferRequest(body, undefined)
      assert.deepEqual(request.inputs[0]!.data, expected)
      assert.deepEqual(request.inputs[1]!.data, new BigUint64Array([2n ** 64n - 1n]))
    }
    rejects(Buffer.from('{"inputs":[{"name":"x","datatype":"INT64","shape":[1],"data":[9223372036854775808]}]}'), /out of range for INT64/)
  })

  for (const [datatype, data, expected] of JSON_CASES) {
    it(`decodes ${datatype} into ${expected.constructor.name}`, () => {
      const request = decodeInferRequest(oneInput({ datatype, shape: [2, 2], data }), undefined)
      const input = request.inputs[0]!
      assert.equal(input.datatype, datatype)
      assert.deepEqual(input.shape, [2, 2])
      assert.deepEqual(input.data, expected)
    })
  }

  it('decodes BYTES strings to UTF-8, non-ASCII included', () => {
    const strings = ['héllo', '日本語', '🙂', '']
    const input = decodeInferRequest(oneInput({ datatype: 'BYTES', shape: [4], data: strings }), undefined).inputs[0]!
    assert.deepEqual(input.data, strings.map((s) => utf8.encode(s)))
  })

  it('flattens nested data in row-major order', () => {
    const input = decodeInferRequest(oneInput({ datatype: 'INT32', shape: [2, 2, 2], data: [[[1, 2], [3, 4]], [[5, 6], [7, 8]]] }), undefined)
      .inputs[0]!
    assert.deepEqual(input.data, new Int32Array([1, 2, 3, 4, 5, 6, 7, 8]))
  })

  it('refuses data nested deeper than any tensor (a 400 rather than a stack overflow), also for INT64', () => {
    const depth = 100_000
    for (const datatype of ['FP32', 'INT64']) {
      const body = Buffer.from(`{"inputs":[{"name":"x","shape":[1],"datatype":"${datatype}","data":${'['.repeat(depth)}1${']'.repeat(depth)}}]}`)
      rejects(body, /input 'x' has 'data' nested 100000 deep; at most 64 levels are read/)
    }
  })

  it('reads "NaN", "Infinity" and "-Infinity" strings for float types', () => {
    const data = ['NaN', 'Infinity', '-Infinity', 1]
    const fp32 = decodeInferRequest(oneInput({ datatype: 'FP32', shape: [4], data }), undefined).inputs[0]!.data as Float32Array
    assert.ok(Number.isNaN(fp32[0]))
    assert.deepEqual([...fp32.subarray(1)], [Infinity, -Infinity, 1])
    const fp16 = decodeInferRequest(oneInput({ datatype: 'FP16', shape: [4], data }), undefined).inputs[0]!.data
    assert.deepEqual(fp16, new Uint16Array([0x7e00, 0x7c00, 0xfc00, 0x3c00]))
  })

  it('keeps id, parameters, outputs and per-input parameters', () => {
    const request = decodeInferRequest(
      json({
        id: '42',
        parameters: { binary_data_output: true, priority: 1 },
        inputs: [{ name: 'x', datatype: 'FP32', shape: [1], data: [1], parameters: { content_type: 'np' } }],
        outputs: [{ name: 'y', parameters: { binary_data: false } }, { name: 'z' }],
      }),
      undefined,
    )
    assert.equal(request.id, '42')
    assert.deepEqual(request.parameters, { binary_data_output: true, priority: 1 })
    assert.deepEqual(request.inputs[0]!.parameters, { content_type: 'np' })
    assert.deepEqual(request.outputs, [{ name: 'y', parameters: { binary_data: false } }, { name: 'z' }])
  })

  it('decodes the spec example input0 and rejects its input1, which has 1 element for shape [3]', () => {
    const example = {
      id: '42',
      inputs: [
        { name: 'input0', shape: [2, 2], datatype: 'UINT32', data: [1, 2, 3, 4] },
        { name: 'input1', shape: [3], datatype: 'BOOL', data: [true] },
      ],
      outputs: [{ name: 'output0' }],
    }
    rejects(json(example), /input 'input1' has 1 elements in 'data' but its shape \[3\] needs 3/)
    example.inputs[1]!.data = [true, false, true]
    const request = decodeInferRequest(json(example), undefined)
    assert.deepEqual(request.inputs[0]!.data, new Uint32Array([1, 2, 3, 4]))
    assert.deepEqual(request.inputs[1]!.data, new Uint8Array([1, 0, 1]))
  })
})

describe('decodeInferRequest with binary data', () => {
  it('decodes the 19-byte example of the binary data extension', () => {
    const { body, headerLength } = withBinary(
      {
        model_name: 'mymodel',
        inputs: [
          { name: 'input0', shape: [2, 2], datatype: 'UINT32', parameters: { binary_data_size: 16 } },
          { name: 'input1', shape: [3], datatype: 'BOOL', parameters: { binary_data_size: 3 } },
        ],
        outputs: [{ name: 'output0', parameters: { binary_data: true } }],
      },
      bytesOf(new Uint32Array([1, 2, 3, 4])),
      new Uint8Array([1, 0, 1]),
    )
    assert.equal(body.length - headerLength, 19)
    const request = decodeInferRequest(body, headerLength)
    assert.deepEqual(request.inputs[0], { name: 'input0', datatype: 'UINT32', shape: [2, 2], data: new Uint32Array([1, 2, 3, 4]) })
    assert.deepEqual(request.inputs[1], { name: 'input1', datatype: 'BOOL', shape: [3], data: new Uint8Array([1, 0, 1]) })
    assert.deepEqual(request.outputs, [{ name: 'output0', parameters: { binary_data: true } }])
  })

  for (const [datatype, , expected] of JSON_CASES) {
    it(`decodes binary ${datatype}, also from a misaligned buffer slice`, () => {
      const { body, headerLength } = withBinary(
        { inputs: [{ name: 'x', datatype, shape: [2, 2], parameters: { binary_data_size: expected.byteLength } }] },
        bytesOf(expected),
      )
      for (const shift of [0, 1, 3]) {
        const copy = Buffer.from(new ArrayBuffer(body.length + shift), shift, body.length)
        body.copy(copy)
        const data = decodeInferRequest(copy, headerLength).inputs[0]!.data as typeof expected
        assert.deepEqual(data, expected)
        assert.equal(data.byteOffset % expected.BYTES_PER_ELEMENT, 0)
      }
    })
  }

  it('decodes binary BYTES with non-ASCII and empty elements, mixed with JSON inputs', () => {
    const strings = ['héllo', '', '🙂']
    const chunk = Buffer.concat(strings.flatMap((s) => [Buffer.from(new Uint32Array([Buffer.byteLength(s)]).buffer), Buffer.from(s)]))
    const { body, headerLength } = withBinary(
      {
        inputs: [
          { name: 'j', datatype: 'INT8', shape: [1], data: [5] },
          { name: 's', datatype: 'BYTES', shape: [3], parameters: { binary_data_size: chunk.length, content_type: 'str' } },
        ],
      },
      chunk,
    )
    const [j, s] = decodeInferRequest(body, headerLength).inputs
    assert.deepEqual(j!.data, new Int8Array([5]))
    assert.deepEqual((s!.data as Uint8Array[]).map((b) => Buffer.from(b).toString()), strings)
    assert.deepEqual(s!.parameters, { content_type: 'str' })
  })
})

describe('decodeInferRequest with a raw binary body', () => {
  const spec: TensorSpecLike = { name: 'raw', datatype: 'FP32', shape: [-1, 2] }

  it('deduces the variable dimension and asks for binary outputs', () => {
    const request = decodeInferRequest(Buffer.from(new Float32Array([1, 2, 3, 4, 5, 6]).buffer), 0, spec)
    assert.deepEqual(request, {
      inputs: [{ name: 'raw', datatype: 'FP32', shape: [3, 2], data: new Float32Array([1, 2, 3, 4, 5, 6]) }],
      parameters: { binary_data_output: true },
    })
  })

  it('takes the whole body as the one element of a BYTES input', () => {
    const input = decodeInferRequest(Buffer.from('héllo'), 0, { name: 'b', datatype: 'BYTES', shape: [-1] }).inputs[0]!
    assert.deepEqual(input.shape, [1])
    assert.equal(Buffer.from((input.data as Uint8Array[])[0]!).toString(), 'héllo')
  })

  it('gives shape [count] when the model rank is unknown, and keeps fixed shapes', () => {
    const body = Buffer.from(new Int32Array([1, 2, 3, 4]).buffer)
    assert.deepEqual(decodeInferRequest(body, 0, { name: 'r', datatype: 'INT32', shape: [], rankUnknown: true }).inputs[0]!.shape, [4])
    assert.deepEqual(decodeInferRequest(body, 0, { name: 'r', datatype: 'INT32', shape: [2, 2] }).inputs[0]!.shape, [2, 2])
  })

  it('rejects bodies that do not fit the model input', () => {
    rejects(Buffer.alloc(8), /raw binary request.*exactly one input/, 0)
    rejects(Buffer.alloc(6), /input 'raw' of FP32 got a raw binary body of 6 bytes; expected a multiple of 4/, 0, spec)
    rejects(Buffer.alloc(12), /input 'raw' of FP32 got 3 elements .* do not fit shape \[-1, 2\]/, 0, spec)
    rejects(Buffer.alloc(16), /input 'raw' has shape \[-1, -1\] with more than one variable dimension/, 0, { ...spec, shape: [-1, -1] })
  })
})

describe('decodeInferRequest rejects malformed requests', () => {
  const cases: [string, Buffer, RegExp, number?][] = [
    ['a body that is not JSON', Buffer.from('{"inputs": ['), /request body is not valid JSON/],
    ['a body that is not an object', json([1]), /request body is a JSON array; expected an inference request object/],
    ['missing inputs', json({}), /request has no 'inputs'/],
    ['inputs that are not an array', json({ inputs: {} }), /request 'inputs' is of type object; expected an array/],
    ['an input without a name', json({ inputs: [{ datatype: 'FP32', shape: [1], data: [1] }] }), /request input 0 has no string 'name'/],
    ['an unknown datatype', oneInput({ datatype: 'FLOAT', shape: [1], data: [1] }), /input 'x' has datatype "FLOAT"; expected one of BOOL, UINT8,.* BYTES/],
    ['a negative dimension', oneInput({ datatype: 'FP32', shape: [-1], data: [1] }), /input 'x' has shape \[-1\]; expected an array of non-negative integers/],
    ['a fractional dimension', oneInput({ datatype: 'FP32', shape: [1.5], data: [1] }), /input 'x' has shape \[1.5\]/],
    ['a missing shape', oneInput({ datatype: 'FP32', data: [1] }), /input 'x' has shape undefined/],
    ['missing data', oneInput({ datatype: 'FP32', shape: [1] }), /input 'x' has no 'data' and no 'parameters.binary_data_size'/],
    ['data that is not an array', oneInput({ datatype: 'FP32', shape: [1], data: 1 }), /input 'x' has 'data' of type number; expected an array of FP32/],
    ['a wrong element count', oneInput({ datatype: 'FP32', shape: [2, 3], data: [1, 2] }), /input 'x' has 2 elements in 'data' but its shape \[2, 3\] needs 6/],
    ['inconsistent nesting', oneInput({ datatype: 'FP32', shape: [3], data: [[1, 2], 3] }), /input 'x' has nested 'data' that mixes arrays and values/],
    ['an array among flat values', oneInput({ datatype: 'FP32', shape: [2], data: [1, [2]] }), /input 'x' element 1 is an array/],
    ['a string for FP32', oneInput({ datatype: 'FP32', shape: [1], data: ['1'] }), /input 'x' element 0 is "1"; FP32 expects a number/],
    ['a number for BOOL', oneInput({ datatype: 'BOOL', shape: [1], data: [2] }), /input 'x' element 0 is 2; BOOL expects true or false/],
    ['a fraction for INT32', oneInput({ datatype: 'INT32', shape: [1], data: [1.5] }), /input 'x' element 0 is 1.5; INT32 expects an integer/],
    ['300 for UINT8', oneInput({ datatype: 'UINT8', shape: [1], data: [300] }), /input 'x' element 0 is 300, out of range for UINT8 \[0, 255\]/],
    ['-1 for UINT32', oneInput({ datatype: 'UINT32', shape: [1], data: [-1] }), /element 0 is -1, out of range for UINT32/],
    ['128 for INT8', oneInput({ datatype: 'INT8', shape: [1], data: [128] }), /element 0 is 128, out of range for INT8 \[-128, 127\]/],
    ['2^63 for INT64', oneInput({ datatype: 'INT64', shape: [1], data: ['9223372036854775808'] }), /out of range for INT64/],
    ['-1 for UINT64', oneInput({ datatype: 'UINT64', shape: [1], data: [-1] }), /out of range for UINT64/],
    ['a fraction for INT64', oneInput({ datatype: 'INT64', shape: [1], data: [0.5] }), /element 0 is 0.5; INT64 expects an integer/],
    ['a number for BYTES', oneInput({ datatype: 'BYTES', shape: [1], data: [1] }), /input 'x' element 0 is 1; BYTES expects a string/],
    ['duplicate input names', json({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1], data: [1] }, { name: 'x', datatype: 'FP32', shape: [1], data: [1] }] }), /input 'x' appears more than once/],
    ['an id that is not a string', json({ id: 42, inputs: [] }), /request 'id' is of type number; expected a string/],
    ['parameters that are not an object', json({ parameters: [], inputs: [] }), /request has 'parameters' of type array; expected an object/],
    ['a nested parameter value', oneInput({ datatype: 'FP32', shape: [1], data: [1], parameters: { a: {} } }), /input 'x' has parameter 'a' of type object/],
    ['binary_data_output that is not a boolean', json({ parameters: { binary_data_output: 'yes' }, inputs: [] }), /request has parameter 'binary_data_output' "yes"; expected true or false/],
    ['outputs that are not an array', json({ inputs: [], outputs: 'y' }), /request 'outputs' is of type string; expected an array/],
    ['an output without a name', json({ inputs: [], outputs: [{}] }), /requested output 0 is not an object with a string 'name'/],
    ['output parameters that are not an object', json({ inputs: [], outputs: [{ name: 'y', parameters: 1 }] }), /output 'y' has 'parameters' of type number/],
    ['binary_data that is not a boolean', json({ inputs: [], outputs: [{ name: 'y', parameters: { binary_data: 1 } }] }), /output 'y' has parameter 'binary_data' 1/],
    ['binary data without the header length', oneInput({ datatype: 'FP32', shape: [1], parameters: { binary_data_size: 4 } }), /input 'x' has binary_data_size but the request has no Inference-Header-Content-Length/],
    ['a header length beyond the body', json({ inputs: [] }), /Inference-Header-Content-Length is 999; expected an integer/, 999],
  ]
  for (const [what, body, pattern, headerLength] of cases) {
    it(`rejects ${what}`, () => rejects(body, pattern, headerLength))
  }

  const binaryCases: [string, Record<string, unknown>, Uint8Array, RegExp][] = [
    ['a fractional binary_data_size', { datatype: 'FP32', shape: [1], parameters: { binary_data_size: 4.5 } }, new Uint8Array(4), /input 'x' has binary_data_size 4.5; expected a non-negative integer/],
    ['a negative binary_data_size', { datatype: 'FP32', shape: [1], parameters: { binary_data_size: -4 } }, new Uint8Array(4), /binary_data_size -4; expected a non-negative integer/],
    ['more bytes than the body holds', { datatype: 'FP32', shape: [2], parameters: { binary_data_size: 8 } }, new Uint8Array(4), /input 'x' has binary_data_size 8 but only 4 bytes of binary data remain/],
    ['a size that does not match the shape', { datatype: 'FP32', shape: [2], parameters: { binary_data_size: 4 } }, new Uint8Array(4), /input 'x' has 4 bytes in its binary data but its shape \[2\] of FP32 needs 8 \(2 x 4\)/],
    ['leftover bytes', { datatype: 'FP32', shape: [1], parameters: { binary_data_size: 4 } }, new Uint8Array(6), /request has 2 bytes of binary data after the last binary input/],
    ['both data and binary_data_size', { datatype: 'FP32', shape: [1], data: [1], parameters: { binary_data_size: 4 } }, new Uint8Array(4), /input 'x' has both 'data' and 'parameters.binary_data_size'/],
    ['a BOOL byte other than 0 or 1', { datatype: 'BOOL', shape: [2], parameters: { binary_data_size: 2 } }, new Uint8Array([1, 2]), /input 'x' element 1 is byte 2; BOOL expects 0 or 1/],
    ['BYTES elements that do not match the shape', { datatype: 'BYTES', shape: [2], parameters: { binary_data_size: 5 } }, new Uint8Array([1, 0, 0, 0, 65]), /input 'x' has 1 BYTES elements in its binary data but its shape \[2\] needs 2/],
    ['a BYTES length beyond the data', { datatype: 'BYTES', shape: [1], parameters: { binary_data_size: 5 } }, new Uint8Array([9, 0, 0, 0, 65]), /input 'x' element 0 declares 9 bytes but only 1 remain/],
    ['a BYTES length cut short', { datatype: 'BYTES', shape: [1], parameters: { binary_data_size: 2 } }, new Uint8Array([9, 0]), /input 'x' has BYTES binary data that ends inside the 4-byte length of element 0/],
  ]
  for (const [what, input, chunk, pattern] of binaryCases) {
    it(`rejects ${what}`, () => {
      const { body, headerLength } = withBinary({ inputs: [{ name: 'x', ...input }] }, chunk)
      rejects(body, pattern, headerLength)
    })
  }
})
