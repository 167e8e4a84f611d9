/**
 * @module onnx/onnx-datatypes
 * The mapping between ONNX element types and KServe v2 datatypes, in one table.
 */
import type { Datatype } from '../core/datatypes.ts'
import { OnnxElementType } from './onnx-proto.ts'

const ONNX_OF: Record<Datatype, number> = {
  BOOL: OnnxElementType.BOOL,
  UINT8: OnnxElementType.UINT8,
  UINT16: OnnxElementType.UINT16,
  UINT32: OnnxElementType.UINT32,
  UINT64: OnnxElementType.UINT64,
  INT8: OnnxElementType.INT8,
  INT16: OnnxElementType.INT16,
  INT32: OnnxElementType.INT32,
  INT64: OnnxElementType.INT64,
  FP16: OnnxElementType.FLOAT16,
  FP32: OnnxElementType.FLOAT,
  FP64: OnnxElementType.DOUBLE,
  BYTES: OnnxElementType.STRING,
}

const DATATYPE_OF = new Map<number, Datatype>(
  Object.entries(ONNX_OF).map(([datatype, onnx]) => [onnx, datatype as Datatype]),
)

export function onnxElementTypeOf(datatype: Datatype): number {
  return ONNX_OF[datatype]
}

/** The KServe datatype of an ONNX element type, or undefined for types maas cannot serve. */
export function datatypeOfOnnx(elementType: number): Datatype | undefined {
  return DATATYPE_OF.get(elementType)
}
