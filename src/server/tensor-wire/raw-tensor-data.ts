/**
 * @module server/tensor-wire/raw-tensor-data
 * The raw tensor layout shared by Triton's HTTP binary extension and gRPC's
 * raw_input_contents / raw_output_contents: little-endian, row-major, no padding; BOOL one
 * byte (0 or 1); BYTES as a 4-byte little-endian length before each element. Typed arrays
 * view the wire bytes where alignment allows, which assumes a little-endian host.
 */
import { TYPED_ARRAY_OF, type Datatype } from '../../core/datatypes.ts'
import { InvalidArgumentError } from '../../core/errors.ts'
import type { TensorData } from '../../core/tensor.ts'

/**
 * Reads the raw bytes of input `name`; `count` is the element count its shape asks for.
 * `source` names where the bytes came from in error messages ("binary data", "raw_input_contents").
 */
export function decodeRawTensorData(
  name: string,
  datatype: Datatype,
  shape: readonly number[],
  count: number,
  bytes: Uint8Array,
  source: string,
): TensorData {
  if (datatype === 'BYTES') return decodeByteStrings(name, shape, count, bytes, source)
  const Typed = TYPED_ARRAY_OF[datatype]
  const size = Typed.BYTES_PER_ELEMENT
  if (bytes.byteLength !== count * size) {
    throw new InvalidArgumentError(
      `input '${name}' has ${bytes.byteLength} bytes in its ${source} but its shape [${shape.join(', ')}] of ${datatype} needs ${count * size} (${count} x ${size})`,
    )
  }
  if (datatype === 'BOOL') checkBools(name, bytes)
  // A typed array view needs an offset that is a multiple of its element size; slices of
  // Node's pooled buffers and fields inside protobuf messages often are not: copy those.
  if (bytes.byteOffset % size === 0) return new Typed(bytes.buffer as ArrayBuffer, bytes.byteOffset, count)
  const copy = new Typed(count)
  new Uint8Array(copy.buffer).set(bytes)
  return copy
}

function checkBools(name: string, bytes: Uint8Array): void {
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i]! > 1) throw new InvalidArgumentError(`input '${name}' element ${i} is byte ${bytes[i]}; BOOL expects 0 or 1`)
  }
}

function decodeByteStrings(name: string, shape: readonly number[], count: number, bytes: Uint8Array, source: string): Uint8Array[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const out: Uint8Array[] = []
  let offset = 0
  while (offset < bytes.length) {
    if (offset + 4 > bytes.length) {
      throw new InvalidArgumentError(`input '${name}' has BYTES ${source} that ends inside the 4-byte length of element ${out.length}`)
    }
    const length = view.getUint32(offset, true)
    offset += 4
    if (offset + length > bytes.length) {
      throw new InvalidArgumentError(
        `input '${name}' element ${out.length} declares ${length} bytes but only ${bytes.length - offset} remain in its ${source}`,
      )
    }
    // Plain Uint8Array views (not Buffer) whatever the caller passed, as the JSON path gives.
    out.push(new Uint8Array(bytes.buffer, bytes.byteOffset + offset, length))
    offset += length
  }
  if (out.length !== count) {
    throw new InvalidArgumentError(
      `input '${name}' has ${out.length} BYTES elements in its ${source} but its shape [${shape.join(', ')}] needs ${count}`,
    )
  }
  return out
}

/** The wire bytes of `data`: a view for fixed-size types, length-prefixed elements for BYTES. */
export function encodeRawTensorData(data: TensorData): Buffer {
  if (!Array.isArray(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength)
  let total = 0
  for (const element of data) total += 4 + element.byteLength
  const out = Buffer.allocUnsafe(total)
  let offset = 0
  for (const element of data) {
    out.writeUInt32LE(element.byteLength, offset)
    out.set(element, offset + 4)
    offset += 4 + element.byteLength
  }
  return out
}
