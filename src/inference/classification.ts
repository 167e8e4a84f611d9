/**
 * @module inference/classification
 * Triton's classification extension: a requested output with the parameter
 * `classification: N` comes back as BYTES of shape [batch, N] (batched models) or [N]
 * holding "<value>:<index>[:<label>]" for the N highest values of each row, highest first
 * (ties: lower index first). Values are printed as Triton prints them (C++ std::to_string:
 * six decimals for floating point, plain digits for integers); labels are the model's
 * config labels, matched by index. N larger than a row gives the whole row.
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
  const rows = batched && tensor.shape.length > 0 ? tensor.shape[0]! : 1
  const total = elementCount(tensor.shape)
  const width = rows === 0 ? 0 : total / rows
  const kept = Math.min(count, width)
  const read = reader(tensor)
  const format = tensor.datatype === 'FP16' || tensor.datatype === 'FP32' || tensor.datatype === 'FP64' ? formatFloat : String
  const data: Uint8Array[] = []
  for (let row = 0; row < rows; row++) {
    const offset = row * width
    const order = Array.from({ length: width }, (_, index) => index)
    order.sort((a, b) => compareDescending(read(offset + a), read(offset + b)) || a - b)
    for (const index of order.slice(0, kept)) {
      const label = labels?.[index]
      data.push(encoder.encode(`${format(read(offset + index))}:${index}${label === undefined ? '' : `:${label}`}`))
    }
  }
  return { name: tensor.name, datatype: 'BYTES', shape: batched && tensor.shape.length > 0 ? [rows, kept] : [kept], data }
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

/** C++ std::to_string of a float: "%f". */
function formatFloat(value: Value): string {
  const number = Number(value)
  return Number.isFinite(number) ? number.toFixed(6) : Number.isNaN(number) ? 'nan' : number > 0 ? 'inf' : '-inf'
}
