/**
 * @module nn/tfjs-weights
 * Decodes the binary weights of a TF.js model (a `weightsManifest` group's shards, or the
 * `weightData` of in-memory ModelArtifacts) into float32 values, by the rules of tfjs-core's
 * io_utils decodeWeights: weights are consecutive slices in manifest order; float32 and
 * int32 are stored as is (little-endian, as tfjs reads them); quantized weights are uint8 or
 * uint16 values v giving v·scale + min (rounded for int32), or float16 halves of float32.
 * Every weight becomes a Float32Array, since every maas weight is float32.
 */
import { InvalidArgumentError } from '../core/errors.ts'
import { describeValue, isConfigObject } from './config-reader.ts'

/** One decoded manifest entry: its manifest name, shape and values. */
export interface TfjsWeight {
  readonly name: string
  readonly shape: readonly number[]
  readonly data: Float32Array
  /** The manifest's `group` ('optimizer' for optimizer state saved with includeOptimizer). */
  readonly group: string | undefined
}

/** A run of weights stored back to back in `data`; `source` names it in errors (e.g. its shard files). */
export interface TfjsWeightBlock {
  readonly entries: readonly unknown[]
  readonly data: Uint8Array
  readonly source: string
}

const STORED_BYTES: Readonly<Record<string, number>> = { float32: 4, int32: 4 }
const QUANTIZED_BYTES: Readonly<Record<string, number>> = { uint8: 1, uint16: 2, float16: 2 }

interface Entry {
  readonly name: string
  readonly shape: readonly number[]
  readonly dtype: 'float32' | 'int32'
  readonly quantization: { readonly dtype: 'uint8' | 'uint16' | 'float16'; readonly scale: number; readonly min: number } | undefined
  readonly group: string | undefined
  readonly byteLength: number
}

/** The weights of each block, in order; throws InvalidArgumentError naming the weight or block at fault. */
export function decodeTfjsWeights(blocks: readonly TfjsWeightBlock[]): TfjsWeight[] {
  const weights: TfjsWeight[] = []
  for (const { entries, data, source } of blocks) {
    let offset = 0
    entries.forEach((raw, index) => {
      const entry = readEntry(raw, `${source}: weights[${index}]`)
      if (offset + entry.byteLength > data.length) {
        throw new InvalidArgumentError(
          `${source}: weight '${entry.name}' (${entry.byteLength} bytes) needs bytes ${offset}..${offset + entry.byteLength}, but the weight data holds only ${data.length} bytes (a shard is missing or short)`,
        )
      }
      // A copy with its own buffer: typed views need alignment, and a Node Buffer's slice() is a view.
      const bytes = new Uint8Array(data.subarray(offset, offset + entry.byteLength))
      offset += entry.byteLength
      weights.push({ name: entry.name, shape: entry.shape, data: decodeValues(entry, bytes.buffer), group: entry.group })
    })
    if (offset !== data.length) throw new InvalidArgumentError(`${source}: ${data.length - offset} bytes of weight data are left after the last weight (the manifest and the shards do not match)`)
  }
  return weights
}

function readEntry(raw: unknown, path: string): Entry {
  if (!isConfigObject(raw)) throw new InvalidArgumentError(`${path}: must be an object with 'name', 'shape' and 'dtype', got ${describeValue(raw)}`)
  const { name, shape, dtype, quantization, group } = raw
  if (typeof name !== 'string' || name.length === 0) throw new InvalidArgumentError(`${path}: 'name' must be a non-empty string, got ${describeValue(name)}`)
  const at = `${path} ('${name}')`
  if (!Array.isArray(shape) || !shape.every((dim) => Number.isInteger(dim) && dim >= 0)) throw new InvalidArgumentError(`${at}: 'shape' must be a list of integers >= 0, got ${describeValue(shape)}`)
  if (typeof dtype !== 'string' || !(dtype in STORED_BYTES)) throw new InvalidArgumentError(`${at}: unsupported dtype ${describeValue(dtype)} (supported: float32, int32)`)
  if (group !== undefined && typeof group !== 'string') throw new InvalidArgumentError(`${at}: 'group' must be a string, got ${describeValue(group)}`)
  const size = (shape as number[]).reduce((product, dim) => product * dim, 1)
  const common = { name, shape: shape as number[], dtype: dtype as Entry['dtype'], group }
  if (quantization === undefined || quantization === null) return { ...common, quantization: undefined, byteLength: size * STORED_BYTES[dtype]! }

  if (!isConfigObject(quantization)) throw new InvalidArgumentError(`${at}: 'quantization' must be an object, got ${describeValue(quantization)}`)
  const { dtype: stored, scale, min, original_dtype: original } = quantization
  if (typeof stored !== 'string' || !(stored in QUANTIZED_BYTES)) throw new InvalidArgumentError(`${at}: unsupported quantization dtype ${describeValue(stored)} (supported: uint8, uint16, float16)`)
  if (original !== undefined && original !== dtype) throw new InvalidArgumentError(`${at}: quantization.original_dtype ${describeValue(original)} differs from dtype '${dtype}'`)
  if (stored === 'float16') {
    if (dtype !== 'float32') throw new InvalidArgumentError(`${at}: float16 quantization only applies to float32 weights, not ${dtype}`)
    return { ...common, quantization: { dtype: stored, scale: 1, min: 0 }, byteLength: size * 2 }
  }
  if (typeof scale !== 'number' || !Number.isFinite(scale) || typeof min !== 'number' || !Number.isFinite(min)) {
    throw new InvalidArgumentError(`${at}: ${stored} quantization needs finite numbers 'scale' and 'min', got scale ${describeValue(scale)} and min ${describeValue(min)}`)
  }
  return { ...common, quantization: { dtype: stored as 'uint8' | 'uint16', scale, min }, byteLength: size * QUANTIZED_BYTES[stored]! }
}

function decodeValues(entry: Entry, buffer: ArrayBuffer): Float32Array {
  const { quantization } = entry
  if (!quantization) return entry.dtype === 'float32' ? new Float32Array(buffer) : Float32Array.from(new Int32Array(buffer))
  if (quantization.dtype === 'float16') return Float32Array.from(new Uint16Array(buffer), halfToFloat)
  const { scale, min } = quantization
  const values = quantization.dtype === 'uint8' ? new Uint8Array(buffer) : new Uint16Array(buffer)
  return entry.dtype === 'int32' ? Float32Array.from(values, (value) => Math.round(value * scale + min)) : Float32Array.from(values, (value) => value * scale + min)
}

/** IEEE 754 binary16 bits → its value (subnormals, infinities and NaN included). */
function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1
  const exponent = (bits >> 10) & 0x1f
  const fraction = bits & 0x3ff
  if (exponent === 0) return sign * fraction * 2 ** -24
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15)
}
