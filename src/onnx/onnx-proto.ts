/**
 * @module onnx/onnx-proto
 * The ONNX protobuf schema, loaded once from the vendored onnx.proto (Apache-2.0, see
 * ONNX-LICENSE beside it) with protobufjs. Everything that reads or writes ONNX bytes goes
 * through the message types exported here.
 */
import { fileURLToPath } from 'node:url'
import protobuf from 'protobufjs'

const root = protobuf.loadSync(fileURLToPath(new URL('./onnx.proto', import.meta.url)))

export const ModelProto = root.lookupType('onnx.ModelProto')
export const TensorProto = root.lookupType('onnx.TensorProto')

/** ONNX TensorProto.DataType values that maas reads or writes. */
export const OnnxElementType = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
  BFLOAT16: 16,
} as const

/** AttributeProto.AttributeType values. */
export const OnnxAttributeType = {
  FLOAT: 1,
  INT: 2,
  STRING: 3,
  TENSOR: 4,
  GRAPH: 5,
  FLOATS: 6,
  INTS: 7,
  STRINGS: 8,
} as const

/** Plain-object view of the parts of a decoded ModelProto that maas reads. */
export interface DecodedDim {
  dimValue?: number | { toNumber(): number }
  dimParam?: string
}
export interface DecodedValueInfo {
  name: string
  type?: { tensorType?: { elemType?: number; shape?: { dim?: DecodedDim[] } } }
}
export interface DecodedModel {
  irVersion?: number
  producerName?: string
  producerVersion?: string
  opsetImport?: { domain?: string; version?: number }[]
  metadataProps?: { key: string; value: string }[]
  graph?: {
    name?: string
    input?: DecodedValueInfo[]
    output?: DecodedValueInfo[]
    initializer?: { name: string }[]
  }
}

/** Decodes ONNX model bytes; throws protobufjs' error on malformed input. */
export function decodeModel(bytes: Uint8Array): DecodedModel {
  const message = ModelProto.decode(bytes)
  return ModelProto.toObject(message, { longs: Number, defaults: false }) as DecodedModel
}
