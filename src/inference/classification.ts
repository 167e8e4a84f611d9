/**
 * @module inference/classification
 * Triton's classification extension: a requested output with the parameter
 * `classification: N` comes back as BYTES of shape [batch, N] (batched models) or [N]
 * holding "<value>:<index>[:<label>]" for the N highest values of each row, highest first
 * (ties: lower index first). Values are printed as Triton prints them (C++ std::to_string:
 * six decimals for floating point, plain digits for integers); labels are the version's
 * labels (config.json `labels`, else the ONNX metadata `labels`), matched by index. N larger
 * than a row gives the whole row.
 */
import { InvalidArgumentError } from '../core/errors.ts'
import { fromFloat16Bits } from '../core/float16.ts'
import { elementCount, type RequestedOutput, type Tensor } from '../core/tensor.ts'
import type { TensorSpec } from '../onnx/onnx-signature.ts'

/** The parameter name, as in Triton's protocol. */
export const CLASSIFICATION_PARAMETER = 'classification'

/**
 * Requested outputs that asked for classification, with their class counts, checked against
 * the model's outputs before anything runs; undefined when none asked.
 */
export function classificationCounts(outputs: readonly RequestedOutput[] | undefined, specs: readonly TensorSpec[]): ReadonlyMap<string, number> | undefined {
  let counts: Map<string, number> | undefined
  for (const output of outputs ?? []) {
    const count = output.parameters?.[CLASSIFICATION_PARAMETER]
    if (count === undefined) continue
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) {
      throw new InvalidArgumentError(`output '${output.name}': parameter "classification" must be a positive integer (the number of classes to return)`)
    }
    const datatype = specs.find((spec) => spec.name === output.name)?.datatype
    if (datatype === 'BYTES' || datatype === 'BOOL') {
      throw new InvalidArgumentError(`output '${output.name}' is ${datatype}; classification needs a numeric output`)
    }
    ;(counts ??= new Map()).set(output.name, count)
  }
  return counts
}

const encoder = new TextEncoder()

/** The classification tensor for `tensor`; `batched` when its first dimension is the batch. */
export function classify(tensor: Tensor, count: number, batched: boolean, labels: readonly string[] | undefined): Tensor {
  const isBatched = batched && tensor.shape.length > 0
  const rows = isBatched ? tensor.shape[0]! : 1
  const width = isBatched ? elementCount(tensor.shape.slice(1)) : elementCount(tensor.shape)
  const kept = Math.min(count, width)
  const read = reader(tensor)
  const format = tensor.datatype === 'FP16' || tensor.datatype === 'FP32' || tensor.datatype === 'FP64' ? formatFloat : String
  const data: Uint8Array[] = []
  for (let row = 0; row < rows; row++) {
    const offset = row * width
    for (const index of topIndices(read, offset, width, kept)) {
      const label = labels?.[index]
      data.push(encoder.encode(`${format(read(offset + index))}:${index}${label === undefined ? '' : `:${label}`}`))
    }
  }
  return { name: tensor.name, datatype: 'BYTES', shape: isBatched ? [rows, kept] : [kept], data }
}

/**
 * The indices of the `k` highest of `width` values from `offset`, highest first, ties by
 * lower index: a bounded insertion (one comparison per value once the list is full) when k
 * is small against the row, a sort otherwise.
 */
function topIndices(read: (index: number) => Value, offset: number, width: number, k: number): number[] {
  if (k * 8 >= width) {
    const order = Array.from({ length: width }, (_, index) => index)
    return order.sort((a, b) => compareDescending(read(offset + a), read(offset + b)) || a - b).slice(0, k)
  }
  const top: number[] = []
  for (let index = 0; index < width; index++) {
    const value = read(offset + index)
    // A later index wins no tie, so it must beat the current last strictly.
    if (top.length === k && compareDescending(value, read(offset + top[k - 1]!)) >= 0) continue
    let at = top.length === k ? k - 1 : top.length
    while (at > 0 && compareDescending(value, read(offset + top[at - 1]!)) < 0) at--
    if (top.length === k) top.pop()
    top.splice(at, 0, index)
  }
  return top
}

type Value = number | bigint

function reader(tensor: Tensor): (index: number) => Value {
  const data = tensor.data as ArrayLike<Value>
  return tensor.datatype === 'FP16' ? (index) => fromFloat16Bits(data[index] as number) : (index) => data[index]!
}

/** Descending order; NaN sorts last, as it compares false with everything in Triton's sort. */
function compareDescending(a: Value, b: Value): number {
  if (typeof a === 'number' && Number.isNaN(a)) return typeof b === 'number' && Number.isNaN(b) ? 0 : 1
  if (typeof b === 'number' && Number.isNaN(b)) return -1
  return a > b ? -1 : a < b ? 1 : 0
}

/** C++ std::to_string of a float: "%f" (toFixed differs only past 1e21 and on exact decimal ties). */
function formatFloat(value: Value): string {
  const number = Number(value)
  if (Number.isNaN(number)) return 'nan'
  if (!Number.isFinite(number)) return number > 0 ? 'inf' : '-inf'
  const text = number.toFixed(6)
  return Object.is(number, -0) || (number < 0 && !text.startsWith('-')) ? `-${text}` : text
}
