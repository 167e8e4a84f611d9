import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { Datatype } from '../../../core/datatypes.ts'
import { MaasError } from '../../../core/errors.ts'
import { toFloat16Bits } from '../../../core/float16.ts'
import type { Tensor, TensorData } from '../../../core/tensor.ts'
import { encodePredictResponse, formatDecimal } from './tfserving-predict-encoder.ts'

const tensor = (name: string, datatype: Datatype, shape: number[], data: TensorData): Tensor => ({ name, datatype, shape, data })
const utf8 = (text: string) => new TextEncoder().encode(text)

test('spec example: half_plus_three predictions, whole floats with ".0"', () => {
  const y = tensor('y', 'FP32', [3], new Float32Array([3.5, 4, 5.5]))
  assert.equal(encodePredictResponse([y], 'row'), '{"predictions":[3.5,4.0,5.5]}')
  assert.equal(encodePredictResponse([y], 'columnar'), '{"outputs":[3.5,4.0,5.5]}')
})

test('row format, single output: one nested list per batch row', () => {
  const y = tensor('y', 'INT32', [2, 2, 2], new Int32Array([1, 2, 3, 4, 5, 6, 7, 8]))
  assert.equal(encodePredictResponse([y], 'row'), '{"predictions":[[[1,2],[3,4]],[[5,6],[7,8]]]}')
  assert.deepEqual(JSON.parse(encodePredictResponse([tensor('y', 'INT32', [0, 3], new Int32Array())], 'row')), { predictions: [] })
})

test('row format, several outputs: one object per row keyed by output name', () => {
  const outputs = [
    tensor('scores', 'FP32', [2, 2], new Float32Array([0.25, 0.75, 0.5, 0.5])),
    tensor('label', 'BYTES', [2], [utf8('cat'), utf8('dog')]),
  ]
  assert.deepEqual(JSON.parse(encodePredictResponse(outputs, 'row')), {
    predictions: [
      { scores: [0.25, 0.75], label: 'cat' },
      { scores: [0.5, 0.5], label: 'dog' },
    ],
  })
})

test('columnar format, several outputs: one object keyed by output name, each whole', () => {
  const outputs = [tensor('a', 'INT64', [3], new BigInt64Array([1n, 2n, 3n])), tensor('b', 'BOOL', [1, 1], new Uint8Array([1])), tensor('c', 'FP64', [], new Float64Array([2.5]))]
  assert.equal(encodePredictResponse(outputs, 'columnar'), '{"outputs":{"a":[1,2,3],"b":[[true]],"c":2.5}}')
})

test('row format refuses outputs of different batch sizes or without one, like TF-Serving', () => {
  const invalid = (pattern: RegExp) => (error: unknown) => error instanceof MaasError && error.code === 'INVALID_ARGUMENT' && pattern.test(error.message)
  const outputs = [tensor('a', 'FP32', [2], new Float32Array(2)), tensor('b', 'FP32', [3], new Float32Array(3))]
  assert.throws(() => encodePredictResponse(outputs, 'row'), invalid(/output 'b' has inconsistent batch size: 3 expecting: 2.*columnar/))
  assert.throws(() => encodePredictResponse([tensor('s', 'FP32', [], new Float32Array(1))], 'row'), invalid(/output 's' is a scalar/))
  assert.equal(encodePredictResponse(outputs, 'columnar'), '{"outputs":{"a":[0.0,0.0],"b":[0.0,0.0,0.0]}}')
})

test('writes every datatype in its JSON form', () => {
  const cases: [Datatype, TensorData, string][] = [
    ['BOOL', new Uint8Array([1, 0]), '[true,false]'],
    ['INT8', new Int8Array([-128, 127]), '[-128,127]'],
    ['INT16', new Int16Array([-32768, 32767]), '[-32768,32767]'],
    ['INT32', new Int32Array([-2147483648, 2147483647]), '[-2147483648,2147483647]'],
    ['INT64', new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n]), '[-9223372036854775808,9223372036854775807]'],
    ['UINT8', new Uint8Array([0, 255]), '[0,255]'],
    ['UINT16', new Uint16Array([0, 65535]), '[0,65535]'],
    ['UINT32', new Uint32Array([0, 4294967295]), '[0,4294967295]'],
    ['UINT64', new BigUint64Array([0n, 2n ** 64n - 1n]), '[0,18446744073709551615]'],
    ['FP16', new Uint16Array([toFloat16Bits(0.1), toFloat16Bits(-2), toFloat16Bits(65504)]), '[0.1,-2.0,65504.0]'],
    ['FP32', new Float32Array([0.1, 0.2, 1e-7, 3.4028234663852886e38, 16777216]), '[0.1,0.2,1e-7,3.4028235e+38,16777216.0]'],
    ['FP64', new Float64Array([0.1, 1 / 3, 1e21, 5e-324]), '[0.1,0.3333333333333333,1e+21,5e-324]'],
    ['BYTES', [utf8('héllo "x"'), new Uint8Array([0xff, 0x00])], '["héllo \\"x\\"",{"b64":"/wA="}]'],
  ]
  for (const [datatype, data, json] of cases) {
    const length = Array.isArray(data) ? data.length : (data as Uint8Array).length
    assert.equal(encodePredictResponse([tensor('v', datatype, [length], data)], 'columnar'), `{"outputs":${json}}`, datatype)
  }
})

test('writes NaN, Infinity and -Infinity as the bare tokens of the spec', () => {
  const values = [NaN, Infinity, -Infinity]
  assert.equal(encodePredictResponse([tensor('v', 'FP32', [3], new Float32Array(values))], 'row'), '{"predictions":[NaN,Infinity,-Infinity]}')
  assert.equal(encodePredictResponse([tensor('v', 'FP64', [3], new Float64Array(values))], 'columnar'), '{"outputs":[NaN,Infinity,-Infinity]}')
  assert.equal(encodePredictResponse([tensor('v', 'FP16', [3], new Uint16Array(values.map(toFloat16Bits)))], 'columnar'), '{"outputs":[NaN,Infinity,-Infinity]}')
})

test('outputs named *_bytes are always base64, as the spec says', () => {
  const outputs = [tensor('image_bytes', 'BYTES', [1], [utf8('image bytes')]), tensor('caption', 'BYTES', [1], [utf8('seaside')])]
  assert.equal(encodePredictResponse(outputs, 'row'), '{"predictions":[{"image_bytes":{"b64":"aW1hZ2UgYnl0ZXM="},"caption":"seaside"}]}')
})

test('keeps a leading byte order mark in UTF-8 text', () => {
  assert.equal(encodePredictResponse([tensor('t', 'BYTES', [], [utf8('\ufeffa')])], 'columnar'), '{"outputs":"\ufeffa"}')
})

test('reports a tensor whose data does not fill its shape as an internal error', () => {
  assert.throws(
    () => encodePredictResponse([tensor('v', 'FP32', [2, 2], new Float32Array(3))], 'columnar'),
    (error: unknown) => error instanceof MaasError && error.code === 'INTERNAL',
  )
  assert.throws(() => encodePredictResponse([], 'row'), (error: unknown) => error instanceof MaasError && error.code === 'INTERNAL')
})

test('formatDecimal writes the fewest digits that read back in the precision', () => {
  assert.equal(formatDecimal(Math.fround(0.3), 'single'), '0.3')
  assert.equal(formatDecimal(Math.fround(1.2345678), 'single'), '1.2345678')
  assert.equal(formatDecimal(-0, 'double'), '-0.0')
  assert.equal(formatDecimal(100, 'half'), '100.0')
  assert.equal(formatDecimal(0.0999755859375, 'half'), '0.1')
  for (const value of [0.1, 123.456, 1e-30, 6.02e23]) assert.equal(Math.fround(Number(formatDecimal(Math.fround(value), 'single'))), Math.fround(value))
})
