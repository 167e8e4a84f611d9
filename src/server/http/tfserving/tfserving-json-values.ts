/**
 * @module server/http/tfserving/tfserving-json-values
 * Converts the leaves of a JSON tensor to tensor data of the datatype the model's signature
 * declares (TF-Serving takes the dtype from the signature, never from the JSON). Follows the
 * JSON mapping of api_rest.md: booleans for BOOL, integers within range for integer types,
 * numbers (and NaN / Infinity) for floats, strings or {"b64": ...} for BYTES.
 */
import type { Datatype } from '../../../core/datatypes.ts'
import { InvalidArgumentError } from '../../../core/errors.ts'
import { toFloat16Bits } from '../../../core/float16.ts'
import type { TensorData } from '../../../core/tensor.ts'
import { isBase64Object, type JsonValue } from './tfserving-json-parser.ts'
import { tfDtypeOf } from './tfserving-dtypes.ts'

type SmallIntDatatype = 'INT8' | 'INT16' | 'INT32' | 'UINT8' | 'UINT16' | 'UINT32'

const SMALL_INT_RANGE: Record<SmallIntDatatype, readonly [number, number]> = {
  INT8: [-128, 127],
  INT16: [-32768, 32767],
  INT32: [-2147483648, 2147483647],
  UINT8: [0, 255],
  UINT16: [0, 65535],
  UINT32: [0, 4294967295],
}

const BIG_INT_RANGE = {
  INT64: [-(2n ** 63n), 2n ** 63n - 1n],
  UINT64: [0n, 2n ** 64n - 1n],
} as const

/** Largest finite magnitude of each float type; beyond it a finite JSON number would turn into Infinity. */
const FLOAT_MAX = { FP16: 65504, FP32: 3.4028234663852886e38, FP64: Number.MAX_VALUE } as const

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/

const utf8 = new TextEncoder()

/**
 * Converts `leaves` (row-major, of a tensor of `shape`) of input `name` to `datatype`; a value
 * of the wrong type or out of range gets an InvalidArgumentError naming the input and element.
 */
export function toTensorData(name: string, datatype: Datatype, shape: readonly number[], leaves: readonly JsonValue[]): TensorData {
  const dtype = tfDtypeOf(datatype)
  const fail = (index: number, problem: string): never => {
    const element = shape.length === 0 ? '' : ` element ${unravel(index, shape)}`
    throw new InvalidArgumentError(`input '${name}'${element}: ${problem}`)
  }
  const notOfType = (index: number): never =>
    fail(index, `${describeJson(leaves[index]!)} is not of expected type ${dtype} (${datatype})`)
  const count = leaves.length

  switch (datatype) {
    case 'BOOL': {
      const data = new Uint8Array(count)
      for (let i = 0; i < count; i++) {
        const value = leaves[i]
        if (typeof value !== 'boolean') notOfType(i)
        data[i] = value ? 1 : 0
      }
      return data
    }
    case 'INT8':
    case 'INT16':
    case 'INT32':
    case 'UINT8':
    case 'UINT16':
    case 'UINT32': {
      const [min, max] = SMALL_INT_RANGE[datatype]
      const data = newTypedArray(datatype, count)
      for (let i = 0; i < count; i++) {
        const value = leaves[i]!
        if (!(typeof value === 'number' && Number.isInteger(value)) && typeof value !== 'bigint') notOfType(i)
        const number = Number(value)
        if (number < min || number > max) fail(i, `${describeJson(value)} is out of range for ${dtype} [${min}, ${max}]`)
        data[i] = number
      }
      return data
    }
    case 'INT64':
    case 'UINT64': {
      const [min, max] = BIG_INT_RANGE[datatype]
      const data = datatype === 'INT64' ? new BigInt64Array(count) : new BigUint64Array(count)
      for (let i = 0; i < count; i++) {
        const value = leaves[i]!
        if (!(typeof value === 'number' && Number.isSafeInteger(value)) && typeof value !== 'bigint') notOfType(i)
        const big = BigInt(value as number | bigint)
        if (big < min || big > max) fail(i, `${describeJson(value)} is out of range for ${dtype} [${min}, ${max}]`)
        data[i] = big
      }
      return data
    }
    case 'FP16':
    case 'FP32':
    case 'FP64': {
      const limit = FLOAT_MAX[datatype]
      const data = datatype === 'FP16' ? new Uint16Array(count) : datatype === 'FP32' ? new Float32Array(count) : new Float64Array(count)
      for (let i = 0; i < count; i++) {
        const value = leaves[i]!
        if (typeof value !== 'number' && typeof value !== 'bigint') notOfType(i)
        const number = Number(value)
        // Infinity and NaN are allowed tokens; a finite number that only overflows is a mistake.
        const overflows = Number.isFinite(number) ? Math.abs(number) > limit && !roundsDown(datatype, number) : typeof value === 'bigint'
        if (overflows) {
          fail(i, `${describeJson(value)} is out of range for ${dtype}`)
        }
        data[i] = datatype === 'FP16' ? toFloat16Bits(number) : number
      }
      return data
    }
    case 'BYTES': {
      const data: Uint8Array[] = new Array(count)
      for (let i = 0; i < count; i++) {
        const value = leaves[i]!
        if (typeof value === 'string') data[i] = utf8.encode(value)
        else if (isBase64Object(value)) {
          const encoded = value.get('b64') as string
          if (!BASE64.test(encoded)) fail(i, `${describeJson(value)} is not valid base64`)
          data[i] = new Uint8Array(Buffer.from(encoded, 'base64'))
        } else notOfType(i)
      }
      return data
    }
  }
}

/** Values just above the maximum still round to it (e.g. 65519 → 65504 in half precision). */
function roundsDown(datatype: 'FP16' | 'FP32' | 'FP64', value: number): boolean {
  if (datatype === 'FP16') return (toFloat16Bits(value) & 0x7c00) !== 0x7c00
  if (datatype === 'FP32') return Number.isFinite(Math.fround(value))
  return true
}

function newTypedArray(datatype: SmallIntDatatype, count: number): Int8Array | Int16Array | Int32Array | Uint8Array | Uint16Array | Uint32Array {
  switch (datatype) {
    case 'INT8': return new Int8Array(count)
    case 'INT16': return new Int16Array(count)
    case 'INT32': return new Int32Array(count)
    case 'UINT8': return new Uint8Array(count)
    case 'UINT16': return new Uint16Array(count)
    case 'UINT32': return new Uint32Array(count)
  }
}

/** The position of a row-major index in a shape, as `[1][0][2]`. */
function unravel(index: number, shape: readonly number[]): string {
  const position: number[] = []
  for (let dim = shape.length - 1; dim >= 0; dim--) {
    const size = shape[dim]!
    position.unshift(index % size)
    index = Math.floor(index / size)
  }
  return position.map((at) => `[${at}]`).join('')
}

/** A short rendering of a JSON value for error messages. */
export function describeJson(value: JsonValue): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  if (value instanceof Map) return isBase64Object(value) ? `{"b64": ${describeJson(value.get('b64')!)}}` : 'an object'
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)
  return String(value)
}
