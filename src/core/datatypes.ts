/**
 * @module core/datatypes
 * KServe v2 tensor datatypes and what each one needs in memory. The one table that says
 * which typed array carries which datatype, and how many bytes an element takes on the wire.
 */

/** The KServe v2 / Open Inference Protocol datatypes maas serves (BF16 is not run by ORT's node binding). */
export const DATATYPES = [
  'BOOL',
  'UINT8',
  'UINT16',
  'UINT32',
  'UINT64',
  'INT8',
  'INT16',
  'INT32',
  'INT64',
  'FP16',
  'FP32',
  'FP64',
  'BYTES',
] as const

export type Datatype = (typeof DATATYPES)[number]

/** Typed array constructors of the fixed-size datatypes. FP16 travels as raw IEEE half bits. */
export const TYPED_ARRAY_OF = {
  BOOL: Uint8Array,
  UINT8: Uint8Array,
  UINT16: Uint16Array,
  UINT32: Uint32Array,
  UINT64: BigUint64Array,
  INT8: Int8Array,
  INT16: Int16Array,
  INT32: Int32Array,
  INT64: BigInt64Array,
  FP16: Uint16Array,
  FP32: Float32Array,
  FP64: Float64Array,
} as const

export type FixedDatatype = keyof typeof TYPED_ARRAY_OF

/** Bytes per element on the wire and in memory, for the fixed-size datatypes. */
export function elementByteSize(datatype: FixedDatatype): number {
  return TYPED_ARRAY_OF[datatype].BYTES_PER_ELEMENT
}

export function isDatatype(value: unknown): value is Datatype {
  return typeof value === 'string' && (DATATYPES as readonly string[]).includes(value)
}

export function isFixedDatatype(datatype: Datatype): datatype is FixedDatatype {
  return datatype !== 'BYTES'
}
