/**
 * @module runtime/batch-tensors
 * Pure tensor arithmetic for batching along dimension 0: concatenating the inputs of several
 * requests into one batch, and splitting a batch output back into each request's rows.
 * Knows nothing of queues or timing; the dynamic batcher decides what may be merged.
 */
import { TYPED_ARRAY_OF, isFixedDatatype } from '../core/datatypes.ts'
import { elementCount, type Tensor, type TensorData } from '../core/tensor.ts'

/** The typed arrays' common surface that concat needs; TensorData's union hides `set`. */
type SettableArray = { set(source: ArrayLike<unknown>, offset: number): void }

/** Whether two tensors may be stacked along dimension 0: same datatype, same shape after dim 0. */
export function haveSameRowLayout(a: Tensor, b: Tensor): boolean {
  if (a.datatype !== b.datatype || a.shape.length !== b.shape.length || a.shape.length === 0) return false
  for (let axis = 1; axis < a.shape.length; axis++) if (a.shape[axis] !== b.shape[axis]) return false
  return true
}

/**
 * Stacks tensors along dimension 0 into a fresh tensor named after the first part. Parameters
 * are dropped on purpose: per-tensor parameters (e.g. binary_data_size) describe one request's
 * encoding and would be wrong for the merged tensor.
 */
export function concatAlongBatch(parts: readonly Tensor[]): Tensor {
  const first = parts[0]
  if (first === undefined) throw new RangeError('concatAlongBatch needs at least one tensor')
  let rows = 0
  for (const part of parts) {
    if (!haveSameRowLayout(first, part)) {
      throw new RangeError(`cannot concatenate ${part.datatype}${formatShape(part.shape)} onto ${first.datatype}${formatShape(first.shape)}`)
    }
    rows += part.shape[0] ?? 0
  }
  const datas = parts.map((part) => part.data)
  return {
    name: first.name,
    datatype: first.datatype,
    shape: [rows, ...first.shape.slice(1)],
    data: isFixedDatatype(first.datatype) ? concatFixed(first.datatype, datas) : concatBytes(datas),
  }
}

/**
 * Splits a tensor along dimension 0 into consecutive pieces of `rows[i]` rows each. Every piece
 * is a copy, so no response keeps (or, through `.buffer`, exposes) the rows of another request.
 */
export function splitAlongBatch(tensor: Tensor, rows: readonly number[]): Tensor[] {
  const total = rows.reduce((sum, count) => sum + count, 0)
  if (tensor.shape.length === 0 || tensor.shape[0] !== total) {
    throw new RangeError(`cannot split ${formatShape(tensor.shape)} into ${total} rows along dimension 0`)
  }
  if (tensor.data.length !== elementCount(tensor.shape)) {
    throw new RangeError(`tensor '${tensor.name}' holds ${tensor.data.length} elements, its shape ${formatShape(tensor.shape)} needs ${elementCount(tensor.shape)}`)
  }
  const rowShape = tensor.shape.slice(1)
  const rowElements = elementCount(rowShape)
  const pieces: Tensor[] = []
  let offset = 0
  for (const count of rows) {
    const start = offset * rowElements
    const end = (offset + count) * rowElements
    pieces.push({
      name: tensor.name,
      datatype: tensor.datatype,
      shape: [count, ...rowShape],
      data: tensor.data.slice(start, end) as TensorData,
      ...(tensor.parameters === undefined ? {} : { parameters: tensor.parameters }),
    })
    offset += count
  }
  return pieces
}

function concatFixed(datatype: keyof typeof TYPED_ARRAY_OF, datas: readonly TensorData[]): TensorData {
  let length = 0
  for (const data of datas) {
    if (Array.isArray(data)) throw new RangeError(`${datatype} data must be a typed array, not byte strings`)
    length += data.length
  }
  const merged = new TYPED_ARRAY_OF[datatype](length)
  let offset = 0
  for (const data of datas) {
    ;(merged as SettableArray).set(data as ArrayLike<unknown>, offset)
    offset += data.length
  }
  return merged
}

function concatBytes(datas: readonly TensorData[]): Uint8Array[] {
  const merged: Uint8Array[] = []
  for (const data of datas) {
    if (!Array.isArray(data)) throw new RangeError('BYTES data must be an array of byte strings')
    for (const element of data) merged.push(element)
  }
  return merged
}

function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`
}
