import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { Datatype } from '../../../core/datatypes.ts'
import { MaasError } from '../../../core/errors.ts'
import { toFloat16Bits } from '../../../core/float16.ts'
import type { ModelSignature } from '../../../onnx/onnx-signature.ts'
import { decodePredictRequest } from './tfserving-predict-decoder.ts'

function signatureOf(...inputs: [string, Datatype, number[]][]): ModelSignature {
  return {
    inputs: inputs.map(([name, datatype, shape]) => ({ name, datatype, shape })),
    outputs: [{ name: 'y', datatype: 'FP32', shape: [-1] }],
    metadata: {},
    producer: 'test',
    irVersion: 8,
    opset: 17,
  }
}

const decode = (body: string, signature: ModelSignature) => decodePredictRequest(Buffer.from(body), signature)

const invalid = (pattern: RegExp) => (error: unknown) =>
  error instanceof MaasError && error.code === 'INVALID_ARGUMENT' && pattern.test(error.message)

const utf8 = (text: string) => new TextEncoder().encode(text)

const x = signatureOf(['x', 'FP32', [-1]])
const threeInputs = signatureOf(['tag', 'BYTES', [-1]], ['signal', 'INT32', [-1, 5]], ['sensor', 'FP32', [-1, 2, 2]])

test('spec example: row format, a list of 3 scalar strings', () => {
  const { request, format } = decode('{"instances": ["foo", "bar", "baz"]}', signatureOf(['s', 'BYTES', [-1]]))
  assert.equal(format, 'row')
  assert.deepEqual(request, { inputs: [{ name: 's', datatype: 'BYTES', shape: [3], data: ['foo', 'bar', 'baz'].map(utf8) }] })
})

test('spec example: row format, 2 tensors each of shape [1, 2]', () => {
  const { request } = decode('{"instances": [ [[1, 2]], [[3, 4]] ]}', signatureOf(['x', 'INT32', [-1, 1, 2]]))
  assert.deepEqual(request.inputs[0], { name: 'x', datatype: 'INT32', shape: [2, 1, 2], data: new Int32Array([1, 2, 3, 4]) })
  assert.equal(request.outputs, undefined)
})

test('spec example: row format with three named inputs', () => {
  const body = `{"instances": [
    {"tag": "foo", "signal": [1, 2, 3, 4, 5], "sensor": [[1, 2], [3, 4]]},
    {"tag": "bar", "signal": [3, 4, 1, 2, 5], "sensor": [[4, 5], [6, 8]]}]}`
  const { request, format } = decode(body, threeInputs)
  assert.equal(format, 'row')
  assert.deepEqual(request.inputs, [
    { name: 'tag', datatype: 'BYTES', shape: [2], data: [utf8('foo'), utf8('bar')] },
    { name: 'signal', datatype: 'INT32', shape: [2, 5], data: new Int32Array([1, 2, 3, 4, 5, 3, 4, 1, 2, 5]) },
    { name: 'sensor', datatype: 'FP32', shape: [2, 2, 2], data: new Float32Array([1, 2, 3, 4, 4, 5, 6, 8]) },
  ])
})

test('spec example: the same request in columnar format gives the same tensors', () => {
  const row = decode(
    '{"instances": [{"tag": "foo", "signal": [1, 2, 3, 4, 5], "sensor": [[1, 2], [3, 4]]}, {"tag": "bar", "signal": [3, 4, 1, 2, 5], "sensor": [[4, 5], [6, 8]]}]}',
    threeInputs,
  )
  const columnar = decode(
    '{"inputs": {"tag": ["foo", "bar"], "signal": [[1, 2, 3, 4, 5], [3, 4, 1, 2, 5]], "sensor": [[[1, 2], [3, 4]], [[4, 5], [6, 8]]]}}',
    threeInputs,
  )
  assert.equal(columnar.format, 'columnar')
  assert.deepEqual(columnar.request, row.request)
})

test('spec example: half_plus_three instances', () => {
  const { request } = decode('{"instances": [1.0,2.0,5.0]}', x)
  assert.deepEqual(request.inputs[0], { name: 'x', datatype: 'FP32', shape: [3], data: new Float32Array([1, 2, 5]) })
})

test('spec example: binary values as {"b64": ...}, in rows and columns', () => {
  const signature = signatureOf(['image_bytes', 'BYTES', [-1]], ['caption', 'BYTES', [-1]])
  const { request } = decode(
    '{"instances": [{"image_bytes": {"b64": "aW1hZ2UgYnl0ZXM="}, "caption": "seaside"}, {"image_bytes": {"b64": "YXdlc29tZSBpbWFnZSBieXRlcw=="}, "caption": "mountains"}]}',
    signature,
  )
  assert.deepEqual(request.inputs[0]!.data, [utf8('image bytes'), utf8('awesome image bytes')])
  assert.deepEqual(request.inputs[1]!.data, [utf8('seaside'), utf8('mountains')])
  const single = decode('{"inputs": {"b64": "/wA="}}', signatureOf(['raw', 'BYTES', []]))
  assert.deepEqual(single.request.inputs[0], { name: 'raw', datatype: 'BYTES', shape: [], data: [new Uint8Array([255, 0])] })
  const rows = decode('{"instances": [{"b64": "AQ"}, {"b64": "AgM="}]}', signatureOf(['raw', 'BYTES', [-1]]))
  assert.deepEqual(rows.request.inputs[0]!.data, [new Uint8Array([1]), new Uint8Array([2, 3])])
  assert.throws(() => decode('{"inputs": [{"b64": "a*b="}]}', signatureOf(['raw', 'BYTES', [-1]])), invalid(/input 'raw' element \[0\]: \{"b64": "a\*b="\} is not valid base64/))
})

test('row format: a single-input instance may name its input', () => {
  const { request } = decode('{"instances": [{"x": [1, 2]}, {"x": [3, 4]}]}', x)
  assert.deepEqual(request.inputs[0], { name: 'x', datatype: 'FP32', shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) })
})

test('columnar format: a plain value, a scalar, and an object for a single input', () => {
  assert.deepEqual(decode('{"inputs": [[1, 2], [3, 4]]}', x).request.inputs[0]!.shape, [2, 2])
  assert.deepEqual(decode('{"inputs": 5}', x).request.inputs[0], { name: 'x', datatype: 'FP32', shape: [], data: new Float32Array([5]) })
  assert.deepEqual(decode('{"inputs": {"x": []}}', x).request.inputs[0], { name: 'x', datatype: 'FP32', shape: [0], data: new Float32Array([]) })
})

test('columnar format: inputs may differ in dimension 0', () => {
  const { request } = decode('{"inputs": {"a": [1, 2, 3], "b": [[true]]}}', signatureOf(['a', 'INT64', [-1]], ['b', 'BOOL', [-1, 1]]))
  assert.deepEqual(request.inputs, [
    { name: 'a', datatype: 'INT64', shape: [3], data: new BigInt64Array([1n, 2n, 3n]) },
    { name: 'b', datatype: 'BOOL', shape: [1, 1], data: new Uint8Array([1]) },
  ])
})

test('accepts the default signature name and rejects others', () => {
  assert.equal(decode('{"signature_name": "serving_default", "instances": [1]}', x).format, 'row')
  assert.equal(decode('{"signature_name": "", "inputs": [1]}', x).format, 'columnar')
  assert.throws(() => decode('{"signature_name": "classify", "instances": [1]}', x), invalid(/signature name 'classify' is not found.*'serving_default'/))
  assert.throws(() => decode('{"signature_name": 3, "instances": [1]}', x), invalid(/'signature_name' must be a string/))
})

test('needs exactly one of instances and inputs', () => {
  assert.throws(() => decode('{"instances": [1], "inputs": [1]}', x), invalid(/both 'instances' and 'inputs'/))
  assert.throws(() => decode('{"signature_name": "serving_default"}', x), invalid(/missing 'inputs' or 'instances'/))
  assert.throws(() => decode('{"instances": 1}', x), invalid(/'instances' must be a list/))
  assert.throws(() => decode('{"instances": []}', x), invalid(/'instances' is an empty list/))
})

test('rejects bodies that are not a JSON object', () => {
  assert.throws(() => decode('', x), invalid(/JSON Parse error: the document is empty/))
  assert.throws(() => decode('{"instances": [1,]}', x), invalid(/JSON Parse error: invalid value starting with '\]' at offset 17/))
  assert.throws(() => decode('[1, 2]', x), invalid(/is not an object/))
  assert.throws(() => decodePredictRequest(Buffer.from([0x7b, 0xff, 0x7d]), x), invalid(/not valid UTF-8/))
})

test('row format: every instance must have the same shape, named in the error', () => {
  assert.throws(() => decode('{"instances": [[1, 2], [3]]}', x), invalid(/input 'x': instances\[1\] has shape \[1\] but instances\[0\] has shape \[2\]/))
  assert.throws(
    () => decode('{"instances": [{"tag": "a", "signal": [1, 2, 3, 4, 5], "sensor": [[1, 2], [3, 4]]}, {"tag": "b", "signal": [1, 2, 3, 4, 5], "sensor": [[1, 2]]}]}', threeInputs),
    invalid(/input 'sensor': instances\[1\] has shape \[1,2\] but instances\[0\] has shape \[2,2\]/),
  )
  assert.throws(() => decode('{"instances": [[[1, 2], [3]]]}', x), invalid(/input 'x' is not a rectangular list: instances\[0\]\[1\] has 1 elements where 2 are expected/))
})

test('columnar format: ragged lists name the input and position', () => {
  assert.throws(
    () => decode('{"inputs": {"tag": ["a"], "signal": [[1, 2, 3, 4, 5], [1, 2]], "sensor": [[[1, 2], [3, 4]]]}}', threeInputs),
    invalid(/input 'signal' is not a rectangular list: inputs\.signal\[1\] has 2 elements where 5 are expected/),
  )
})

test('rejects unknown and missing inputs, listing the expected ones', () => {
  const both = /the model's inputs are: 'tag', 'signal', 'sensor'/
  assert.throws(() => decode('{"inputs": {"tag": ["a"], "signal": [[1,2,3,4,5]], "sensor": [[[1,2],[3,4]]], "extra": 1}}', threeInputs), invalid(/'inputs' has unknown input 'extra'/))
  assert.throws(() => decode('{"inputs": {"tag": ["a"], "signal": [[1,2,3,4,5]]}}', threeInputs), invalid(/'inputs' is missing input 'sensor'/))
  assert.throws(() => decode('{"instances": [{"tag": "a", "signal": [1,2,3,4,5]}]}', threeInputs), invalid(/instances\[0\] is missing input 'sensor'/))
  assert.throws(() => decode('{"instances": [{"tag": "a", "signl": 1}]}', threeInputs), invalid(new RegExp(`instances\\[0\\] has unknown input 'signl'; ${both.source}`)))
  assert.throws(() => decode('{"instances": [{"y": 1}]}', x), invalid(/unknown input 'y'; the model's inputs are: 'x'/))
})

test('multi-input models need objects, not plain values', () => {
  assert.throws(() => decode('{"instances": ["a", "b"]}', threeInputs), invalid(/'instances' is a plain list, but the model has 3 inputs/))
  assert.throws(() => decode('{"inputs": ["a", "b"]}', threeInputs), invalid(/'inputs' is a plain value or list, but the model has 3 inputs/))
  assert.throws(() => decode('{"instances": [{"x": 1}, 2]}', x), invalid(/instances\[1\] is 2 but instances\[0\] is an object/))
})

test('converts every datatype from its JSON form', () => {
  const cases: [Datatype, string, unknown][] = [
    ['BOOL', '[true, false]', new Uint8Array([1, 0])],
    ['INT8', '[-128, 127]', new Int8Array([-128, 127])],
    ['INT16', '[-32768, 32767]', new Int16Array([-32768, 32767])],
    ['INT32', '[-2147483648, 2147483647]', new Int32Array([-2147483648, 2147483647])],
    ['INT64', '[-9223372036854775808, 9223372036854775807]', new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n])],
    ['UINT8', '[0, 255]', new Uint8Array([0, 255])],
    ['UINT16', '[0, 65535]', new Uint16Array([0, 65535])],
    ['UINT32', '[0, 4294967295]', new Uint32Array([0, 4294967295])],
    ['UINT64', '[0, 18446744073709551615]', new BigUint64Array([0n, 2n ** 64n - 1n])],
    ['FP16', '[1.5, -2, 65504]', new Uint16Array([toFloat16Bits(1.5), toFloat16Bits(-2), toFloat16Bits(65504)])],
    ['FP32', '[0.1, 1e-3, 3]', new Float32Array([0.1, 1e-3, 3])],
    ['FP64', '[0.1, 1e300, 9007199254740993]', new Float64Array([0.1, 1e300, 9007199254740992])],
    ['BYTES', '["héllo", {"b64": "AP8="}, ""]', [utf8('héllo'), new Uint8Array([0, 255]), new Uint8Array()]],
  ]
  for (const [datatype, json, data] of cases) {
    const { request } = decode(`{"inputs": ${json}}`, signatureOf(['v', datatype, [-1]]))
    assert.deepEqual(request.inputs[0], { name: 'v', datatype, shape: [data instanceof Array ? data.length : (data as Uint8Array).length], data }, datatype)
  }
})

test('floats take NaN, Infinity and -Infinity tokens', () => {
  for (const datatype of ['FP16', 'FP32', 'FP64'] as const) {
    const { request } = decode('{"instances": [NaN, Infinity, -Infinity]}', signatureOf(['v', datatype, [-1]]))
    const data = request.inputs[0]!.data as Uint16Array | Float32Array | Float64Array
    if (datatype === 'FP16') assert.deepEqual([...data].slice(1), [0x7c00, 0xfc00])
    else {
      assert.ok(Number.isNaN(data[0]))
      assert.deepEqual([...data].slice(1), [Infinity, -Infinity])
    }
  }
})

test('rejects values of the wrong type, naming input, element and dtype', () => {
  const rejects = (datatype: Datatype, json: string, pattern: RegExp) =>
    assert.throws(() => decode(`{"inputs": {"v": ${json}}}`, signatureOf(['v', datatype, [-1]])), invalid(pattern), `${datatype} ${json}`)
  rejects('FP32', '[1, "2"]', /input 'v' element \[1\]: "2" is not of expected type DT_FLOAT \(FP32\)/)
  rejects('FP32', '[[1], [null]]', /element \[1\]\[0\]: null is not of expected type DT_FLOAT/)
  rejects('FP32', '[true]', /true is not of expected type DT_FLOAT/)
  rejects('BOOL', '[1]', /1 is not of expected type DT_BOOL/)
  rejects('INT32', '[1.5]', /1\.5 is not of expected type DT_INT32/)
  rejects('INT32', '[2147483648]', /2147483648 is out of range for DT_INT32 \[-2147483648, 2147483647\]/)
  rejects('INT8', '[128]', /128 is out of range for DT_INT8/)
  rejects('UINT8', '[-1]', /-1 is out of range for DT_UINT8/)
  rejects('UINT32', '[NaN]', /NaN is not of expected type DT_UINT32/)
  rejects('INT64', '[9223372036854775808]', /out of range for DT_INT64/)
  rejects('INT64', '[1e300]', /is not of expected type DT_INT64/)
  rejects('UINT64', '[-1]', /-1 is out of range for DT_UINT64/)
  rejects('FP16', '[70000]', /70000 is out of range for DT_HALF/)
  rejects('FP32', '[1e39]', /out of range for DT_FLOAT/)
  rejects('FP64', `[1${'0'.repeat(400)}]`, /out of range for DT_DOUBLE/)
  rejects('BYTES', '[1]', /1 is not of expected type DT_STRING \(BYTES\)/)
  rejects('BYTES', '[{"text": "a"}]', /an object is not of expected type DT_STRING/)
  assert.throws(() => decode('{"inputs": "x"}', x), invalid(/input 'x': "x" is not of expected type DT_FLOAT/))
})

test('accepts whole floats for integer types and integers for floats', () => {
  assert.deepEqual(decode('{"inputs": [1.0, 2e1]}', signatureOf(['v', 'INT16', [-1]])).request.inputs[0]!.data, new Int16Array([1, 20]))
  assert.deepEqual(decode('{"inputs": [65519]}', signatureOf(['v', 'FP16', [-1]])).request.inputs[0]!.data, new Uint16Array([0x7bff]))
})
