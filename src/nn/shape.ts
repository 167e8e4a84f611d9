/**
 * @module nn/shape
 * Per-example tensor shapes (the batch dimension left out, as Keras' `input_shape`) and the
 * output-length arithmetic of convolution and pooling with TensorFlow's 'same'/'valid' rules.
 */

/** A per-example shape; -1 marks a dimension known only at run time. The batch dimension is implicit. */
export type Shape = readonly number[]

/** Element types a model input can have. */
export type DType = 'float32' | 'int32' | 'int64'

/** Shape and element type of one symbolic value. */
export interface TensorInfo {
  readonly shape: Shape
  readonly dtype: DType
}

/** The ONNX datatype of a dtype. */
export function datatypeOf(dtype: DType): 'FP32' | 'INT32' | 'INT64' {
  return dtype === 'float32' ? 'FP32' : dtype === 'int32' ? 'INT32' : 'INT64'
}

/** The full ONNX shape: dynamic batch first. */
export function withBatch(shape: Shape): number[] {
  return [-1, ...shape]
}

/** Keras' notation: `(None, 26, 26, 32)`. */
export function formatShape(shape: Shape): string {
  const dims = ['None', ...shape.map((dim) => (dim < 0 ? 'None' : String(dim)))]
  return `(${dims.join(', ')}${dims.length === 1 ? ',' : ''})`
}

/** Number of elements of a static shape; -1 when a dimension is dynamic. */
export function sizeOf(shape: Shape): number {
  let size = 1
  for (const dim of shape) {
    if (dim < 0) return -1
    size *= dim
  }
  return size
}

export type Padding = 'valid' | 'same'

/** Output length of a windowed op along one axis (TensorFlow's rule); -1 for a dynamic input. */
export function windowOutputLength(length: number, kernel: number, stride: number, dilation: number, padding: Padding): number {
  if (length < 0) return -1
  const extent = (kernel - 1) * dilation + 1
  return padding === 'same' ? Math.ceil(length / stride) : Math.floor((length - extent) / stride) + 1
}

/** [begin, end] padding of TensorFlow's 'same' along one axis: the odd extra goes at the end. */
export function samePadding(length: number, kernel: number, stride: number, dilation: number): [number, number] {
  const extent = (kernel - 1) * dilation + 1
  const total = Math.max((Math.ceil(length / stride) - 1) * stride + extent - length, 0)
  const begin = Math.floor(total / 2)
  return [begin, total - begin]
}

/** Resolves a negative axis of a rank-`rank` tensor (batch included). */
export function normalizeAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis
}
