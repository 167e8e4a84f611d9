import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { readModelInferRequest, writeModelInferResponse } from './grpc-infer-serialization.ts'
import type { ModelInferResponseMessage } from './grpc-messages.ts'
import { loadGrpcServiceDefinitions } from './grpc-proto.ts'
import { encodeModelInferResponse } from './grpc-tensor-codec.ts'

// proto-loader's generic (de)serializers of ModelInfer: the reference the fast ones must match.
const generic = loadGrpcServiceDefinitions().inference.ModelInfer!

const REQUESTS: Record<string, object> = {
  'an empty request': {},
  'raw contents with model, version and id': {
    model_name: 'mlp',
    model_version: '2',
    id: 'req-1',
    inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 784] }],
    raw_input_contents: [Buffer.from(new Float32Array(784).fill(0.25).buffer)],
  },
  'two raw inputs, a zero dimension and a dimension beyond 2^53': {
    inputs: [
      { name: 'a', datatype: 'INT32', shape: [0, 3] },
      { name: 'b', datatype: 'INT8', shape: ['9007199254740993', '-1'] },
    ],
    raw_input_contents: [Buffer.alloc(0), Buffer.from([1, 2, 3])],
  },
  'typed contents of every field': {
    inputs: [
      {
        name: 'x',
        datatype: 'INT64',
        shape: [3],
        contents: {
          bool_contents: [true, false],
          int_contents: [-1, 7],
          int64_contents: ['-9223372036854775808', '9223372036854775807'],
          uint_contents: [4294967295],
          uint64_contents: ['18446744073709551615'],
          fp32_contents: [0.5, -2],
          fp64_contents: [1e300],
          bytes_contents: [Buffer.from('hi'), Buffer.alloc(0)],
        },
      },
    ],
  },
  'an input with empty contents': { inputs: [{ name: 'x', datatype: 'FP32', shape: [0], contents: {} }] },
  'parameters on the request, an input and a requested output': {
    parameters: {
      flag: { bool_param: true },
      big: { int64_param: '9007199254740993' },
      text: { string_param: 'yes' },
      ratio: { double_param: 0.5 },
      unsigned: { uint64_param: '18446744073709551615' },
      empty: {},
    },
    inputs: [{ name: 'x', datatype: 'FP32', shape: [1], parameters: { binary_data_size: { int64_param: 4 } } }],
    outputs: [{ name: 'y', parameters: { binary_data: { bool_param: false } } }, { name: 'z' }],
  },
}

describe('readModelInferRequest', () => {
  for (const [what, request] of Object.entries(REQUESTS)) {
    it(`reads ${what} exactly as proto-loader does`, () => {
      const bytes = generic.requestSerialize(request)
      assert.deepEqual(readModelInferRequest(bytes), generic.requestDeserialize(bytes))
    })
  }

  it('gives raw contents as views of the received bytes, not copies', () => {
    const bytes = generic.requestSerialize(REQUESTS['raw contents with model, version and id']!)
    const raw = readModelInferRequest(bytes).raw_input_contents![0]!
    assert.equal(raw.buffer, bytes.buffer)
  })
})

describe('writeModelInferResponse', () => {
  const responses: Record<string, ModelInferResponseMessage> = {
    'a bare response': { model_name: 'm', model_version: '1', outputs: [], raw_output_contents: [] },
    'outputs with id and parameters of every kind': encodeModelInferResponse({
      modelName: 'mlp',
      modelVersion: '3',
      id: 'q',
      parameters: { n: 3, f: 0.5, s: 'x', b: true, big: 2 ** 53 - 1 },
      outputs: [
        { name: 'a', datatype: 'INT16', shape: [2], data: new Int16Array([1, -1]), parameters: { binary_data_size: 4 } },
        { name: 's', datatype: 'BYTES', shape: [1, 1], data: [new Uint8Array([104, 105])] },
        { name: 'e', datatype: 'FP32', shape: [0], data: new Float32Array(0) },
      ],
    }),
  }
  for (const [what, response] of Object.entries(responses)) {
    it(`writes ${what} byte for byte as proto-loader does`, () => {
      assert.deepEqual(writeModelInferResponse(response), generic.responseSerialize(response))
    })
  }
})
