/**
 * @module server/http/codecs/json-tensor-data-decoder
 * Turns the "data" of a KServe v2 JSON input (flat or nested array) into the typed array of
 * its datatype, checking every element on the way. This is the hot path of a JSON infer
 * request: one pass per tensor, plain loops, the slow paths (errors, "NaN" strings) kept out
 * of the loop bodies.
 */
import type { Datatype } from '../../../core/datatypes.ts'
import { InvalidArgumentError } from '../../../core/errors.ts'
import { toFloat16Bits } from '../../../core/float16.ts'
import type { TensorData } from '../../../core/tensor.ts'

const utf8 = new TextEncoder()

/** Checks and converts the JSON data of input `name`; `count` is the element count its shape asks for. */
export function decodeJsonTensorData(
  name: string,
  datatype: Datatype,
  shape: readonly number[],
  count: number,
  data: unknown,
): TensorData {
  // A Float64Array is a flat numeric array the request scanner already read.
  const isScanned = data instanceof Float64Array
  if (!isScanned && !Array.isArray(data)) {
    throw new InvalidArgumentError(`input '${name}' has 'data' of type ${describeType(data)}; expected an array of ${datatype} values`)
  }
  const flat: ArrayLike<unknown> = !isScanned && data.length > 0 && Array.isArray(data[0]) ? flattenNested(name, data) : data
  if (flat.length !== count) {
    throw new InvalidArgumentError(
      `input '${name}' has ${flat.length} elements in 'data' but its shape [${shape.join(', ')}] needs ${count}`,
    )
  }
  switch (datatype) {
    case 'FP32':
      return isScanned ? new Float32Array(data) : decodeFloats(name, datatype, flat, new Float32Array(count))
    case 'FP64':
      return decodeFloats(name, datatype, flat, new Float64Array(count))
    case 'FP16':
      return decodeHalfs(name, flat, new Uint16Array(count))
    case 'BOOL':
      return decodeBools(name, flat, new Uint8Array(count))
    case 'INT8':
      return decodeInts(name, datatype, flat, new Int8Array(count), -0x80, 0x7f)
    case 'INT16':
      return decodeInts(name, datatype, flat, new Int16Array(count), -0x8000, 0x7fff)
    case 'INT32':
      return decodeInts(name, datatype, flat, new Int32Array(count), -0x80000000, 0x7fffffff)
    case 'UINT8':
      return decodeInts(name, datatype, flat, new Uint8Array(count), 0, 0xff)
    case 'UINT16':
      return decodeInts(name, datatype, flat, new Uint16Array(count), 0, 0xffff)
    case 'UINT32':
      return decodeInts(name, datatype, flat, new Uint32Array(count), 0, 0xffffffff)
    case 'INT64':
      return decodeBigInts(name, datatype, flat, new BigInt64Array(count), -(2n ** 63n), 2n ** 63n - 1n)
    case 'UINT64':
      return decodeBigInts(name, datatype, flat, new BigUint64Array(count), 0n, 2n ** 64n - 1n)
    case 'BYTES':
      return decodeStrings(name, flat)
  }
}

/** Deepest nesting of `data` read (a tensor has far fewer dimensions); deeper is a 400, not a stack overflow. */
export const MAX_DATA_NESTING = 64

/**
 * Flattens row-major nested arrays. The leaf depth is taken from the first path; every other
 * path must reach values at the same depth, so [[1, 2], 3] is refused rather than guessed at.
 */
function flattenNested(name: string, data: unknown[]): unknown[] {
  let depth = 0
  for (let probe: unknown = data; Array.isArray(probe); probe = probe[0]) depth++
  if (depth > MAX_DATA_NESTING) throw new InvalidArgumentError(`input '${name}' has 'data' nested ${depth} deep; at most ${MAX_DATA_NESTING} levels are read`)
  const out: unknown[] = []
  collectLeaves(name, data, depth - 1, out)
  return out
}

function collectLeaves(name: string, array: unknown[], levelsBelow: number, out: unknown[]): void {
  for (let i = 0; i < array.length; i++) {
    const value = array[i]
    if (Array.isArray(value) !== levelsBelow > 0) {
      throw new InvalidArgumentError(
        `input '${name}' has nested 'data' that mixes arrays and values at the same depth; expected a consistently nested (or flat) array`,
      )
    }
    if (levelsBelow > 0) collectLeaves(name, value as unknown[], levelsBelow - 1, out)
    else out.push(value)
  }
}

function decodeFloats<T extends Float32Array | Float64Array>(name: string, datatype: Datatype, flat: ArrayLike<unknown>, out: T): T {
  for (let i = 0; i < flat.length; i++) {
    const value = flat[i]
    out[i] = typeof value === 'number' ? value : nonFiniteFromString(name, datatype, i, value)
  }
  return out
}

function decodeHalfs(name: string, flat: ArrayLike<unknown>, out: Uint16Array): Uint16Array {
  for (let i = 0; i < flat.length; i++) {
    const value = flat[i]
    out[i] = toFloat16Bits(typeof value === 'number' ? value : nonFiniteFromString(name, 'FP16', i, value))
  }
  return out
}

/** JSON has no NaN or Infinity; like the encoder, accept them spelled as strings. */
function nonFiniteFromString(name: string, datatype: Datatype, index: number, value: unknown): number {
  if (value === 'NaN') return NaN
  if (value === 'Infinity') return Infinity
  if (value === '-Infinity') return -Infinity
  throw elementError(name, datatype, index, value, 'a number (or "NaN", "Infinity", "-Infinity")')
}

function decodeBools(name: string, flat: ArrayLike<unknown>, out: Uint8Array): Uint8Array {
  for (let i = 0; i < flat.length; i++) {
    const value = flat[i]
    if (value === true || value === 1) out[i] = 1
    else if (value !== false && value !== 0) throw elementError(name, 'BOOL', i, value, 'true or false')
  }
  return out
}

type IntArray = Int8Array | Int16Array | Int32Array | Uint8Array | Uint16Array | Uint32Array

function decodeInts<T extends IntArray>(name: string, datatype: Datatype, flat: ArrayLike<unknown>, out: T, min: number, max: number): T {
  for (let i = 0; i < flat.length; i++) {
    const value = flat[i]
    if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) out[i] = value
    else throw intError(name, datatype, i, value, min, max)
  }
  return out
}

const DECIMAL_INTEGER = /^-?[0-9]+$/

/**
 * Numbers come as JS numbers (exact up to 2^53), BigInts (the request decoder re-reads data
 * whose numbers pass 2^53 with an exact parser) or decimal strings ("9223372036854775807").
 */
function decodeBigInts<T extends BigInt64Array | BigUint64Array>(
  name: string,
  datatype: Datatype,
  flat: ArrayLike<unknown>,
  out: T,
  min: bigint,
  max: bigint,
): T {
  for (let i = 0; i < flat.length; i++) {
    const value = flat[i]
    let big: bigint
    if (typeof value === 'number' && Number.isInteger(value)) big = BigInt(value)
    else if (typeof value === 'bigint') big = value
    else if (typeof value === 'string' && DECIMAL_INTEGER.test(value)) big = BigInt(value)
    else throw elementError(name, datatype, i, value, 'an integer (or a decimal string for values beyond 2^53)')
    if (big < min || big > max) throw intError(name, datatype, i, value, min, max)
    out[i] = big
  }
  return out
}

function decodeStrings(name: string, flat: ArrayLike<unknown>): Uint8Array[] {
  const out: Uint8Array[] = new Array(flat.length)
  for (let i = 0; i < flat.length; i++) {
    const value = flat[i]
    if (typeof value !== 'string') throw elementError(name, 'BYTES', i, value, 'a string')
    out[i] = utf8.encode(value)
  }
  return out
}

function intError(name: string, datatype: Datatype, index: number, value: unknown, min: number | bigint, max: number | bigint): InvalidArgumentError {
  const isInteger = (typeof value === 'number' && Number.isInteger(value)) || typeof value === 'bigint' || (typeof value === 'string' && DECIMAL_INTEGER.test(value))
  if (!isInteger) return elementError(name, datatype, index, value, 'an integer')
  return new InvalidArgumentError(
    `input '${name}' element ${index} is ${preview(value)}, out of range for ${datatype} [${min}, ${max}]`,
  )
}

function elementError(name: string, datatype: Datatype, index: number, value: unknown, expected: string): InvalidArgumentError {
  const what = Array.isArray(value) ? 'an array (nested data must be nested consistently)' : preview(value)
  return new InvalidArgumentError(`input '${name}' element ${index} is ${what}; ${datatype} expects ${expected}`)
}

function preview(value: unknown): string {
  const text = typeof value === 'bigint' ? String(value) : (JSON.stringify(value) ?? String(value))
  return text.length > 40 ? `${text.slice(0, 37)}...` : text
}

/** The JSON type of a value, for messages. */
export function describeType(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  return typeof value
}
