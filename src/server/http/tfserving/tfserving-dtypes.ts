/**
 * @module server/http/tfserving/tfserving-dtypes
 * The mapping from KServe datatypes to TensorFlow DataType enum names (DT_FLOAT, ...), in one
 * table. TF-Serving clients see these names in model metadata and in error messages.
 */
import type { Datatype } from '../../../core/datatypes.ts'

const TF_DTYPE_OF: Record<Datatype, string> = {
  BOOL: 'DT_BOOL',
  UINT8: 'DT_UINT8',
  UINT16: 'DT_UINT16',
  UINT32: 'DT_UINT32',
  UINT64: 'DT_UINT64',
  INT8: 'DT_INT8',
  INT16: 'DT_INT16',
  INT32: 'DT_INT32',
  INT64: 'DT_INT64',
  FP16: 'DT_HALF',
  FP32: 'DT_FLOAT',
  FP64: 'DT_DOUBLE',
  BYTES: 'DT_STRING',
}

/** The TensorFlow dtype name of a KServe datatype, e.g. FP32 → DT_FLOAT. */
export function tfDtypeOf(datatype: Datatype): string {
  return TF_DTYPE_OF[datatype]
}
