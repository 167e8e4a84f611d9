import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { InvalidArgumentError } from '../../core/errors.ts'
import type { ModelInferRequestMessage } from './grpc-messages.ts'
import { decodeModelInferRequest, encodeModelInferResponse } from './grpc-tensor-codec.ts'

function rejects(message: ModelInferRequestMessage, pattern: RegExp): void {
  assert.throws(
    () => decodeModelInferRequest(message),
    (error: unknown) => error instanceof InvalidArgumentError && pattern.test(error.message),
  )
}

/** `bytes` placed at an odd offset of a larger buffer, as a field inside a protobuf message is. */
function misaligned(bytes: Uint8Array): Buffer {
  const backing = Buffer.alloc(bytes.length + 1)
  backing.set(bytes, 1)
  return backing.subarray(1)
}

describe('decodeModelInferRequest', () => {
  it('copies misaligned raw contents into an aligned typed array', () => {
    const values = new Float64Array([1.5, -2, 1e-300])
    const { request } = decodeModelInferRequest({
      model_name: 'm',
      inputs: [{ name: 'x', datatype: 'FP64', shape: ['3'] }],
      raw_input_contents: [misaligned(new Uint8Array(values.buffer))],
    })
    const data = request.inputs[0]!.data
    assert.ok(data instanceof Float64Array)
    assert.deepEqual([...data], [...values])
  })

  it('views aligned raw contents without copying', () => {
    const raw = Buffer.from(new Int32Array([1, 2]).buffer)
    const { request } = decodeModelInferRequest({ inputs: [{ name: 'x', datatype: 'INT32', shape: ['2'] }], raw_input_contents: [raw] })
    assert.equal((request.inputs[0]!.data as Int32Array).buffer, raw.buffer)
  })

  it('reads model, version, id, parameters of every kind and requested outputs', () => {
    const decoded = decodeModelInferRequest({
      model_name: 'm',
      model_version: '2',
      id: 'abc',
      parameters: {
        b: { bool_param: true, parameter_choice: 'bool_param' },
        i: { int64_param: '-5', parameter_choice: 'int64_param' },
        u: { uint64_param: '7', parameter_choice: 'uint64_param' },
        d: { double_param: 0.25, parameter_choice: 'double_param' },
        s: { string_param: 'x', parameter_choice: 'string_param' },
      },
      inputs: [{ name: 'x', datatype: 'BOOL', shape: ['2'], contents: { bool_contents: [true, false] } }],
      outputs: [{ name: 'y', parameters: { binary_data: { bool_param: false, parameter_choice: 'bool_param' } } }],
    })
    assert.equal(decoded.modelName, 'm')
    assert.equal(decoded.modelVersion, '2')
    assert.equal(decoded.request.id, 'abc')
    assert.deepEqual(decoded.request.parameters, { b: true, i: -5, u: 7, d: 0.25, s: 'x' })
    assert.deepEqual(decoded.request.outputs, [{ name: 'y', parameters: { binary_data: false } }])
    assert.deepEqual(decoded.request.inputs[0]!.data, new Uint8Array([1, 0]))
  })

  it('treats an empty version and id as not given', () => {
    const decoded = decodeModelInferRequest({ model_name: 'm', model_version: '', id: '', inputs: [] })
    assert.equal(decoded.modelVersion, undefined)
    assert.equal('id' in decoded.request, false)
  })

  it('keeps 64-bit parameters beyond 2^53 exact, as decimal strings (e.g. a random sequence_id)', () => {
    const decoded = decodeModelInferRequest({
      parameters: {
        sequence_id: { uint64_param: '18446744073709551615', parameter_choice: 'uint64_param' },
        low: { int64_param: '-9223372036854775808', parameter_choice: 'int64_param' },
      },
      inputs: [],
    })
    assert.deepEqual(decoded.request.parameters, { sequence_id: '18446744073709551615', low: '-9223372036854775808' })
  })

  it('refuses negative shapes and unnamed inputs', () => {
    rejects({ inputs: [{ name: 'x', datatype: 'FP32', shape: ['-1'] }] }, /input 'x' has shape \[-1\]; expected non-negative/)
    rejects({ inputs: [{ datatype: 'FP32', shape: ['1'] }] }, /request input 0 has no name/)
    rejects({ inputs: [{ name: 'x', datatype: 'UINT16', shape: ['1'], contents: { uint_contents: [70000] } }] }, /out of range for UINT16/)
  })

  it('reads BYTES raw contents as length-prefixed elements', () => {
    const raw = Buffer.from([2, 0, 0, 0, 104, 105, 0, 0, 0, 0])
    const { request } = decodeModelInferRequest({ inputs: [{ name: 's', datatype: 'BYTES', shape: ['2'] }], raw_input_contents: [raw] })
    assert.deepEqual(request.inputs[0]!.data, [new Uint8Array([104, 105]), new Uint8Array(0)])
    rejects({ inputs: [{ name: 's', datatype: 'BYTES', shape: ['3'] }], raw_input_contents: [raw] }, /2 BYTES elements in its raw_input_contents but its shape \[3\] needs 3/)
  })
})

describe('encodeModelInferResponse', () => {
  it('writes every output as raw contents, BYTES length-prefixed, and parameters by type', () => {
    const message = encodeModelInferResponse({
      modelName: 'm',
      modelVersion: '1',
      id: 'q',
      parameters: { n: 3, f: 0.5, s: 'x', b: true },
      outputs: [
        { name: 'a', datatype: 'INT16', shape: [2], data: new Int16Array([1, -1]) },
        { name: 's', datatype: 'BYTES', shape: [1], data: [new Uint8Array([104, 105])] },
      ],
    })
    assert.deepEqual(message.outputs, [
      { name: 'a', datatype: 'INT16', shape: [2] },
      { name: 's', datatype: 'BYTES', shape: [1] },
    ])
    assert.deepEqual(message.raw_output_contents, [Buffer.from([1, 0, 255, 255]), Buffer.from([2, 0, 0, 0, 104, 105])])
    assert.deepEqual(message.parameters, { n: { int64_param: 3 }, f: { double_param: 0.5 }, s: { string_param: 'x' }, b: { bool_param: true } })
    assert.equal(message.id, 'q')
  })
})
