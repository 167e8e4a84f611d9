import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { ModelSignature } from '../../../onnx/onnx-signature.ts'
import { encodeModelMetadata, encodeModelStatus } from './tfserving-status.ts'

test('spec example: status of half_plus_three version 123', () => {
  assert.deepEqual(JSON.parse(JSON.stringify(encodeModelStatus([{ version: '123', state: 'AVAILABLE' }]))), {
    model_version_status: [{ version: '123', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } }],
  })
})

test('reports every version, with the error of a failed one', () => {
  const body = encodeModelStatus([
    { version: '2', state: 'LOADING' },
    { version: '1', state: 'END', errorCode: 'UNKNOWN', errorMessage: 'not a valid ONNX model' },
  ])
  assert.deepEqual(body, {
    model_version_status: [
      { version: '2', state: 'LOADING', status: { error_code: 'OK', error_message: '' } },
      { version: '1', state: 'END', status: { error_code: 'UNKNOWN', error_message: 'not a valid ONNX model' } },
    ],
  })
  assert.deepEqual(encodeModelStatus([]), { model_version_status: [] })
})

const signature: ModelSignature = {
  inputs: [
    { name: 'x', datatype: 'FP32', shape: [-1, 1] },
    { name: 'ids', datatype: 'INT64', shape: [] },
    { name: 'any', datatype: 'BYTES', shape: [], rankUnknown: true },
  ],
  outputs: [{ name: 'y', datatype: 'FP16', shape: [-1, 3] }],
  metadata: {},
  producer: 'test',
  irVersion: 8,
  opset: 17,
}

test('writes GetModelMetadataResponse with TF dtypes and int64 sizes as strings', () => {
  const body = JSON.parse(JSON.stringify(encodeModelMetadata('half_plus_three', '123', signature)))
  assert.deepEqual(body, {
    model_spec: { name: 'half_plus_three', signature_name: '', version: '123' },
    metadata: {
      signature_def: {
        signature_def: {
          serving_default: {
            inputs: {
              x: {
                dtype: 'DT_FLOAT',
                tensor_shape: { dim: [{ size: '-1', name: '' }, { size: '1', name: '' }], unknown_rank: false },
                name: 'x',
              },
              ids: { dtype: 'DT_INT64', tensor_shape: { dim: [], unknown_rank: false }, name: 'ids' },
              any: { dtype: 'DT_STRING', tensor_shape: { dim: [], unknown_rank: true }, name: 'any' },
            },
            outputs: {
              y: {
                dtype: 'DT_HALF',
                tensor_shape: { dim: [{ size: '-1', name: '' }, { size: '3', name: '' }], unknown_rank: false },
                name: 'y',
              },
            },
            method_name: 'tensorflow/serving/predict',
          },
        },
      },
    },
  })
})

test('keeps a tensor named "__proto__" as an ordinary key', () => {
  const body = encodeModelMetadata('m', '1', { ...signature, inputs: [{ name: '__proto__', datatype: 'BOOL', shape: [2] }] }) as {
    metadata: { signature_def: { signature_def: { serving_default: { inputs: object } } } }
  }
  const inputs = body.metadata.signature_def.signature_def.serving_default.inputs
  assert.deepEqual(Object.keys(inputs), ['__proto__'])
  assert.match(JSON.stringify(inputs), /^\{"__proto__":\{"dtype":"DT_BOOL"/)
})
