/**
 * @module server/http/codecs/json-tensor-data-encoder
 * Writes tensor data as the text of a flat KServe v2 JSON array. Built by string
 * concatenation rather than JSON.stringify(Array.from(data)): on Node 20, for random FP32
 * data, a 1x1000 output took ~25 µs this way against ~104 µs, and a 64x10 output ~15 µs
 * against ~70 µs (typedArray.join(',') after a finiteness scan sat in between, ~31/21 µs).
 */
import type { Datatype } from '../../../core/datatypes.ts'
import { fromFloat16Bits } from '../../../core/float16.ts'
import type { TensorData } from '../../../core/tensor.ts'

const utf8 = new TextDecoder()

/** The JSON array text of `data`, read as `datatype`. */
export function encodeJsonTensorData(datatype: Datatype, data: TensorData): string {
  if (Array.isArray(data)) return encodeStrings(data)
  switch (datatype) {
    case 'FP32':
    case 'FP64':
      return encodeFloats(data as Float32Array | Float64Array)
    case 'FP16':
      return encodeHalfs(data as Uint16Array)
    case 'BOOL':
      return encodeBools(data as Uint8Array)
    default:
      // Integer types, BigInt64Array / BigUint64Array included: join writes exact decimal
      // digits, so 64-bit values never pass through a double.
      return `[${(data as Int32Array | BigInt64Array).join(',')}]`
  }
}

/**
 * JSON has no NaN or Infinity, and a response must stay valid JSON whatever the model
 * computed, so non-finite values are written as the strings "NaN", "Infinity" and
 * "-Infinity" (the request decoder reads them back the same way).
 */
function encodeFloats(data: Float32Array | Float64Array): string {
  let text = '['
  for (let i = 0; i < data.length; i++) {
    const value = data[i]!
    if (i > 0) text += ','
    text += value - value === 0 ? value : nonFiniteString(value)
  }
  return text + ']'
}

function encodeHalfs(data: Uint16Array): string {
  let text = '['
  for (let i = 0; i < data.length; i++) {
    const value = fromFloat16Bits(data[i]!)
    if (i > 0) text += ','
    text += value - value === 0 ? value : nonFiniteString(value)
  }
  return text + ']'
}

function nonFiniteString(value: number): string {
  if (value !== value) return '"NaN"'
  return value > 0 ? '"Infinity"' : '"-Infinity"'
}

function encodeBools(data: Uint8Array): string {
  let text = '['
  for (let i = 0; i < data.length; i++) {
    if (i > 0) text += ','
    text += data[i] ? 'true' : 'false'
  }
  return text + ']'
}

/** BYTES elements become JSON strings; bytes that are not valid UTF-8 decode to U+FFFD. */
function encodeStrings(data: readonly Uint8Array[]): string {
  let text = '['
  for (let i = 0; i < data.length; i++) {
    if (i > 0) text += ','
    text += JSON.stringify(utf8.decode(data[i]))
  }
  return text + ']'
}
