/**
 * @module training/datasets/idx-writer
 * Encodes a tensor as IDX bytes (big-endian, magic 0x0000TTNN): the inverse of parseIdx.
 * Used to write datasets for other tools and to build test fixtures byte for byte.
 */
import { InvalidArgumentError } from '../../core/errors.ts'
import { IDX_TYPES, type IdxDataType } from './idx-reader.ts'

/** Returns the IDX encoding of `data` with dimensions `dims` and element type `dtype`. */
export function encodeIdx(dtype: IdxDataType, dims: readonly number[], data: ArrayLike<number>): Uint8Array {
  const entry = Object.entries(IDX_TYPES).find(([, type]) => type.name === dtype)
  if (entry === undefined) throw new InvalidArgumentError(`unknown IDX element type '${dtype}'`)
  const [code, type] = entry
  if (dims.length < 1 || dims.length > 255) throw new InvalidArgumentError(`IDX needs 1..255 dimensions, got ${dims.length}`)
  const elements = dims.reduce((product, dim) => product * dim, 1)
  if (elements !== data.length) {
    throw new InvalidArgumentError(`dimensions [${dims.join(', ')}] need ${elements} elements, got ${data.length}`)
  }
  const header = 4 + 4 * dims.length
  const bytes = new Uint8Array(header + elements * type.bytes)
  const view = new DataView(bytes.buffer)
  view.setUint32(0, (Number(code) << 8) | dims.length)
  dims.forEach((dim, i) => view.setUint32(4 + 4 * i, dim))
  for (let i = 0; i < elements; i++) {
    const value = data[i]!
    const at = header + i * type.bytes
    switch (type.name) {
      case 'uint8': view.setUint8(at, value); break
      case 'int8': view.setInt8(at, value); break
      case 'int16': view.setInt16(at, value); break
      case 'int32': view.setInt32(at, value); break
      case 'float32': view.setFloat32(at, value); break
      case 'float64': view.setFloat64(at, value); break
    }
  }
  return bytes
}
