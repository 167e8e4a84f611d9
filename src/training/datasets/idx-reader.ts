/**
 * @module training/datasets/idx-reader
 * Reads IDX files (the MNIST format: a 4-byte magic 0x0000TTNN with element type TT and
 * NN dimensions, NN big-endian uint32 sizes, then the elements, big-endian), gzipped or
 * raw, and pairs an image file with a label file into a Dataset.
 */
import { readFile } from 'node:fs/promises'
import { promisify } from 'node:util'
import { gunzip, gunzipSync } from 'node:zlib'
import { createDataset, type Dataset } from './dataset.ts'
import { DatasetFormatError } from './dataset-errors.ts'

const gunzipAsync = promisify(gunzip)

/** IDX element types, by the third byte of the magic number. */
export const IDX_TYPES = Object.freeze({
  0x08: { name: 'uint8', bytes: 1 },
  0x09: { name: 'int8', bytes: 1 },
  0x0b: { name: 'int16', bytes: 2 },
  0x0c: { name: 'int32', bytes: 4 },
  0x0d: { name: 'float32', bytes: 4 },
  0x0e: { name: 'float64', bytes: 8 },
} as const)

/** Name of an IDX element type. */
export type IdxDataType = (typeof IDX_TYPES)[keyof typeof IDX_TYPES]['name']

/** The decoded contents of one IDX file. */
export interface IdxTensor {
  readonly dtype: IdxDataType
  readonly dims: readonly number[]
  readonly data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array
}

/** What the caller expects of a file; a mismatch is reported as a wrong magic number. */
export interface IdxExpectation {
  readonly dtype?: IdxDataType
  readonly ndim?: number
}

/** True when the bytes start with the gzip signature 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`
}

function expectedMagic(expect: IdxExpectation): string {
  const entry = Object.entries(IDX_TYPES).find(([, type]) => type.name === expect.dtype)
  const typeByte = entry === undefined ? 'TT' : Number(entry[0]).toString(16).padStart(2, '0')
  const ndim = expect.ndim === undefined ? 'NN' : expect.ndim.toString(16).padStart(2, '0')
  return `0x0000${typeByte}${ndim}`
}

/** Decodes raw (already gunzipped) IDX bytes; `source` names the file in error messages. */
export function parseIdx(bytes: Uint8Array, source: string, expect: IdxExpectation = {}): IdxTensor {
  if (bytes.length < 4) {
    throw new DatasetFormatError(`${source}: truncated IDX header (${bytes.length} bytes, need at least 4)`)
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const magic = view.getUint32(0)
  const typeCode = bytes[2]!
  const ndim = bytes[3]!
  const type = (IDX_TYPES as Record<number, { name: IdxDataType; bytes: number } | undefined>)[typeCode]
  if (bytes[0] !== 0 || bytes[1] !== 0 || type === undefined || ndim === 0) {
    throw new DatasetFormatError(
      `${source}: wrong magic number ${hex(magic)}; not an IDX file (expected ${expectedMagic(expect)})`,
    )
  }
  if ((expect.dtype !== undefined && expect.dtype !== type.name) || (expect.ndim !== undefined && expect.ndim !== ndim)) {
    throw new DatasetFormatError(
      `${source}: wrong magic number ${hex(magic)} (${type.name}, ${ndim} dimensions); expected ${expectedMagic(expect)}`,
    )
  }
  const headerLength = 4 + 4 * ndim
  if (bytes.length < headerLength) {
    throw new DatasetFormatError(
      `${source}: truncated IDX header (${bytes.length} bytes, need ${headerLength} for ${ndim} dimensions)`,
    )
  }
  const dims: number[] = []
  let elements = 1
  for (let i = 0; i < ndim; i++) {
    const dim = view.getUint32(4 + 4 * i)
    dims.push(dim)
    elements *= dim
  }
  const dataLength = bytes.length - headerLength
  const expectedLength = elements * type.bytes
  if (dataLength !== expectedLength) {
    const problem = dataLength < expectedLength ? 'truncated' : 'has trailing bytes'
    throw new DatasetFormatError(
      `${source}: IDX data ${problem}: dimensions [${dims.join(', ')}] of ${type.name} need ${expectedLength} bytes, found ${dataLength}`,
    )
  }
  return Object.freeze({ dtype: type.name, dims: Object.freeze(dims), data: decodeElements(bytes, headerLength, elements, type.name) })
}

function decodeElements(bytes: Uint8Array, offset: number, n: number, dtype: IdxDataType): IdxTensor['data'] {
  // Plain views, not Buffer subarrays, so callers see the same types whatever they passed.
  if (dtype === 'uint8') return new Uint8Array(bytes.buffer, bytes.byteOffset + offset, n)
  if (dtype === 'int8') return new Int8Array(bytes.buffer, bytes.byteOffset + offset, n)
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset)
  // IDX is big-endian; typed arrays are platform-endian, so multi-byte types are copied.
  switch (dtype) {
    case 'int16': return Int16Array.from({ length: n }, (_, i) => view.getInt16(2 * i))
    case 'int32': return Int32Array.from({ length: n }, (_, i) => view.getInt32(4 * i))
    case 'float32': return Float32Array.from({ length: n }, (_, i) => view.getFloat32(4 * i))
    case 'float64': return Float64Array.from({ length: n }, (_, i) => view.getFloat64(8 * i))
  }
}

/** Decodes IDX bytes, gunzipping them first when they start with 1f 8b. */
export function decodeIdx(bytes: Uint8Array, source: string, expect: IdxExpectation = {}): IdxTensor {
  if (!isGzip(bytes)) return parseIdx(bytes, source, expect)
  let raw: Uint8Array
  try {
    raw = gunzipSync(bytes)
  } catch (error) {
    throw new DatasetFormatError(`${source}: corrupt gzip data (${(error as Error).message})`, { cause: error })
  }
  return parseIdx(raw, source, expect)
}

/** Reads and decodes one IDX file, gzipped or raw. */
export async function readIdxFile(file: string, expect: IdxExpectation = {}): Promise<IdxTensor> {
  const bytes = await readFile(file)
  if (!isGzip(bytes)) return parseIdx(bytes, file, expect)
  let raw: Uint8Array
  try {
    raw = await gunzipAsync(bytes)
  } catch (error) {
    throw new DatasetFormatError(`${file}: corrupt gzip data (${(error as Error).message})`, { cause: error })
  }
  return parseIdx(raw, file, expect)
}

/** Expectations for the MNIST-style image (uint8, 3-d) and label (uint8, 1-d) files. */
export const IDX_IMAGES: IdxExpectation = Object.freeze({ dtype: 'uint8', ndim: 3 })
export const IDX_LABELS: IdxExpectation = Object.freeze({ dtype: 'uint8', ndim: 1 })

/** Class metadata attached to a dataset built from IDX files. */
export interface IdxClassInfo {
  readonly classes?: number
  readonly labels?: readonly string[]
}

/** Pairs decoded image and label tensors into a Dataset; x keeps the raw element values. */
export function idxToDataset(
  images: IdxTensor,
  labels: IdxTensor,
  sources: { images: string; labels: string },
  info: IdxClassInfo = {},
): Dataset {
  const [count = 0, ...sampleShape] = images.dims
  if (labels.dims.length !== 1) {
    throw new DatasetFormatError(`${sources.labels}: label file must be 1-dimensional, has dimensions [${labels.dims.join(', ')}]`)
  }
  if (labels.dims[0] !== count) {
    throw new DatasetFormatError(
      `label/image count mismatch: ${sources.labels} holds ${labels.dims[0]} labels, ${sources.images} holds ${count} images`,
    )
  }
  const x = new Float32Array(images.data.length)
  x.set(images.data)
  const y = new Int32Array(count)
  y.set(labels.data)
  const classes = info.classes
  if (classes !== undefined) {
    const bad = y.findIndex((label) => label < 0 || label >= classes)
    if (bad !== -1) {
      throw new DatasetFormatError(`${sources.labels}: label ${y[bad]} at index ${bad} is outside 0..${classes - 1}`)
    }
  }
  return createDataset({ x, y, sampleShape, count, ...info })
}
