/**
 * @module server/grpc/grpc-typed-contents
 * Reads InferTensorContents, the typed repeated fields of a gRPC input, into the typed array
 * of the input's datatype: one field per datatype family (int_contents carries INT8, INT16
 * and INT32, uint_contents UINT8, UINT16 and UINT32), values range-checked. FP16 has no
 * typed field and must come as raw_input_contents.
 */
import type { Datatype } from '../../core/datatypes.ts'
import { InvalidArgumentError } from '../../core/errors.ts'
import type { TensorData } from '../../core/tensor.ts'
import type { InferTensorContentsMessage } from './grpc-messages.ts'

type ContentsField = keyof InferTensorContentsMessage

/** The field that carries each datatype; FP16 has none. */
export const CONTENTS_FIELD_OF: Readonly<Record<Datatype, ContentsField | undefined>> = {
  BOOL: 'bool_contents',
  UINT8: 'uint_contents',
  UINT16: 'uint_contents',
  UINT32: 'uint_contents',
  UINT64: 'uint64_contents',
  INT8: 'int_contents',
  INT16: 'int_contents',
  INT32: 'int_contents',
  INT64: 'int64_contents',
  FP16: undefined,
  FP32: 'fp32_contents',
  FP64: 'fp64_contents',
  BYTES: 'bytes_contents',
}

const FIELDS: readonly ContentsField[] = [
  'bool_contents',
  'int_contents',
  'int64_contents',
  'uint_contents',
  'uint64_contents',
  'fp32_contents',
  'fp64_contents',
  'bytes_contents',
]

/** Checks and converts the typed contents of input `name`; `count` is the element count its shape asks for. */
export function decodeTypedContents(
  name: string,
  datatype: Datatype,
  shape: readonly number[],
  count: number,
  contents: InferTensorContentsMessage,
): TensorData {
  const field = CONTENTS_FIELD_OF[datatype]
  if (field === undefined) {
    throw new InvalidArgumentError(`input '${name}' is ${datatype}, which has no typed contents field; send its data in raw_input_contents`)
  }
  for (const other of FIELDS) {
    if (other !== field && (contents[other]?.length ?? 0) > 0) {
      throw new InvalidArgumentError(`input '${name}' of ${datatype} has ${other}; ${datatype} data goes in ${field}`)
    }
  }
  const values = contents[field] ?? []
  if (values.length !== count) {
    throw new InvalidArgumentError(
      `input '${name}' has ${values.length} elements in ${field} but its shape [${shape.join(', ')}] needs ${count}`,
    )
  }
  switch (datatype) {
    case 'BOOL':
      return Uint8Array.from(values as readonly boolean[], (value) => (value ? 1 : 0))
    case 'INT8':
      return checkedInts(name, datatype, values as readonly number[], new Int8Array(count), -0x80, 0x7f)
    case 'INT16':
      return checkedInts(name, datatype, values as readonly number[], new Int16Array(count), -0x8000, 0x7fff)
    case 'INT32':
      return Int32Array.from(values as readonly number[])
    case 'UINT8':
      return checkedInts(name, datatype, values as readonly number[], new Uint8Array(count), 0, 0xff)
    case 'UINT16':
      return checkedInts(name, datatype, values as readonly number[], new Uint16Array(count), 0, 0xffff)
    case 'UINT32':
      return Uint32Array.from(values as readonly number[])
    case 'INT64':
      return BigInt64Array.from(values as readonly string[], BigInt)
    case 'UINT64':
      return BigUint64Array.from(values as readonly string[], BigInt)
    case 'FP32':
      return Float32Array.from(values as readonly number[])
    case 'FP64':
      return Float64Array.from(values as readonly number[])
    default:
      // BYTES: plain Uint8Array views (not Buffer), like the other codecs give.
      return (values as readonly Buffer[]).map((value) => new Uint8Array(value.buffer, value.byteOffset, value.byteLength))
  }
}

type NarrowInts = Int8Array | Int16Array | Uint8Array | Uint16Array

/** int_contents and uint_contents are 32 bits wide on the wire; narrower types are range-checked. */
function checkedInts<T extends NarrowInts>(name: string, datatype: Datatype, values: readonly number[], out: T, min: number, max: number): T {
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!
    if (value < min || value > max) {
      throw new InvalidArgumentError(`input '${name}' element ${i} is ${value}, out of range for ${datatype} [${min}, ${max}]`)
    }
    out[i] = value
  }
  return out
}
