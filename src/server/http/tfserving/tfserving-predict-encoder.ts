/**
 * @module server/http/tfserving/tfserving-predict-encoder
 * Writes the body of TF-Serving's REST `:predict` response (api_rest.md, "Response format"):
 * {"predictions": [...]} with one entry per batch row for row-format requests, {"outputs": ...}
 * with whole tensors for columnar ones. The JSON text is written by hand because the API
 * writes NaN / Infinity as bare tokens and 64-bit integers need all their digits.
 */
import { InvalidArgumentError, MaasError } from '../../../core/errors.ts'
import { fromFloat16Bits, toFloat16Bits } from '../../../core/float16.ts'
import { dataLength, elementCount, type Tensor } from '../../../core/tensor.ts'
import type { PredictFormat } from './tfserving-predict-decoder.ts'

/** Outputs whose name ends in this are written as {"b64": ...} (api_rest.md, "Output of binary values"). */
const BYTES_NAME_SUFFIX = '_bytes'

type ElementWriter = (index: number) => string

// ignoreBOM keeps a leading U+FEFF in the text instead of dropping it.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/**
 * Encodes a model's outputs in the format of the request. Row format needs every output to
 * have the same dimension 0; TF-Serving answers InvalidArgument otherwise, and so does this.
 */
export function encodePredictResponse(outputs: readonly Tensor[], format: PredictFormat): string {
  if (outputs.length === 0) throw new MaasError('INTERNAL', 'the model returned no outputs')
  for (const tensor of outputs) {
    if (elementCount(tensor.shape) !== dataLength(tensor.data)) {
      throw new MaasError('INTERNAL', `output '${tensor.name}' has ${dataLength(tensor.data)} elements for shape [${tensor.shape.join(',')}]`)
    }
  }
  return format === 'row' ? encodeRows(outputs) : encodeColumns(outputs)
}

function encodeColumns(outputs: readonly Tensor[]): string {
  const parts: string[] = ['{"outputs":']
  const single = outputs.length === 1
  if (!single) parts.push('{')
  outputs.forEach((tensor, position) => {
    if (position > 0) parts.push(',')
    if (!single) parts.push(JSON.stringify(tensor.name), ':')
    writeNested(parts, elementWriterOf(tensor), tensor.shape, 0, 0)
  })
  if (!single) parts.push('}')
  parts.push('}')
  return parts.join('')
}

function encodeRows(outputs: readonly Tensor[]): string {
  const first = outputs[0]!
  for (const tensor of outputs) {
    if (tensor.shape.length === 0) {
      throw new InvalidArgumentError(`output '${tensor.name}' is a scalar and has no batch dimension; send the request in the columnar format ('inputs') to get it`)
    }
    if (tensor.shape[0] !== first.shape[0]) {
      throw new InvalidArgumentError(
        `output '${tensor.name}' has inconsistent batch size: ${tensor.shape[0]} expecting: ${first.shape[0]} (as output '${first.name}'); send the request in the columnar format ('inputs') to get outputs of different batch sizes`,
      )
    }
  }
  const columns = outputs.map((tensor) => ({
    key: JSON.stringify(tensor.name),
    write: elementWriterOf(tensor),
    rowShape: tensor.shape.slice(1),
    rowSize: elementCount(tensor.shape.slice(1)),
  }))
  const single = columns.length === 1
  const parts: string[] = ['{"predictions":[']
  for (let row = 0; row < first.shape[0]!; row++) {
    if (row > 0) parts.push(',')
    if (!single) parts.push('{')
    columns.forEach((column, position) => {
      if (position > 0) parts.push(',')
      if (!single) parts.push(column.key, ':')
      writeNested(parts, column.write, column.rowShape, 0, row * column.rowSize)
    })
    if (!single) parts.push('}')
  }
  parts.push(']}')
  return parts.join('')
}

/** Writes the elements from `offset` nested by `shape` from dimension `dim`; returns the next offset. */
function writeNested(parts: string[], write: ElementWriter, shape: readonly number[], dim: number, offset: number): number {
  if (dim === shape.length) {
    parts.push(write(offset))
    return offset + 1
  }
  parts.push('[')
  const size = shape[dim]!
  for (let index = 0; index < size; index++) {
    if (index > 0) parts.push(',')
    offset = writeNested(parts, write, shape, dim + 1, offset)
  }
  parts.push(']')
  return offset
}

/** Writes one element of `tensor` as the API writes it (shared with tfserving-examples). */
export function elementWriterOf(tensor: Tensor): ElementWriter {
  const data = tensor.data
  switch (tensor.datatype) {
    case 'BOOL': {
      const values = data as Uint8Array
      return (index) => (values[index] ? 'true' : 'false')
    }
    case 'FP16': {
      const bits = data as Uint16Array
      return (index) => formatDecimal(fromFloat16Bits(bits[index]!), 'half')
    }
    case 'FP32': {
      const values = data as Float32Array
      return (index) => formatDecimal(values[index]!, 'single')
    }
    case 'FP64': {
      const values = data as Float64Array
      return (index) => formatDecimal(values[index]!, 'double')
    }
    case 'BYTES': {
      const values = data as Uint8Array[]
      const asBase64 = tensor.name.endsWith(BYTES_NAME_SUFFIX)
      return (index) => formatBytes(values[index]!, asBase64)
    }
    default: {
      // Integer types, BigInt arrays included: String() gives every digit.
      const values = data as ArrayLike<number | bigint>
      return (index) => String(values[index])
    }
  }
}

/** Significant digits tried, and the rounding that must give the value back, per precision. */
const PRECISIONS = {
  half: { minDigits: 1, maxDigits: 5, roundTrip: (value: number) => fromFloat16Bits(toFloat16Bits(value)) },
  // Like TF-Serving (absl::StrCat, then max_digits10 when that does not read back): 6 digits first.
  single: { minDigits: 6, maxDigits: 9, roundTrip: Math.fround },
  // String() of a double is already its shortest round-trip form.
  double: { minDigits: 1, maxDigits: 0, roundTrip: (value: number) => value },
} as const

/**
 * Writes a float as TF-Serving does: few digits that read back to the same value in its own
 * precision, ".0" on whole numbers so readers keep them as floats, and the tokens NaN,
 * Infinity and -Infinity (api_rest.md, "JSON mapping" and "JSON conformance").
 */
export function formatDecimal(value: number, precision: keyof typeof PRECISIONS): string {
  const { minDigits, maxDigits, roundTrip } = PRECISIONS[precision]
  if (Number.isNaN(value)) return 'NaN'
  if (value === Infinity) return 'Infinity'
  if (value === -Infinity) return '-Infinity'
  let text = Object.is(value, -0) ? '-0' : String(value)
  if (!Number.isInteger(value) || Math.abs(value) >= 1e21) {
    for (let digits = minDigits; digits <= maxDigits; digits++) {
      const candidate = Number(value.toPrecision(digits))
      if (roundTrip(candidate) === value) {
        text = String(candidate)
        break
      }
    }
  }
  return /[.e]/.test(text) ? text : `${text}.0`
}

/** Text when the bytes are UTF-8 (and the name does not ask for binary), else {"b64": ...}. */
function formatBytes(bytes: Uint8Array, asBase64: boolean): string {
  if (!asBase64) {
    try {
      return JSON.stringify(utf8.decode(bytes))
    } catch {
      // Not UTF-8: JSON cannot carry it as a string, so it goes out as base64.
    }
  }
  return `{"b64":"${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')}"}`
}
