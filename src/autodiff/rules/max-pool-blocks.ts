/**
 * @module autodiff/rules/max-pool-blocks
 * The MaxPool gradient for non-overlapping 1-D and 2-D windows (kernel = strides, no
 * padding or dilation, static sizes) — Keras' MaxPooling2D default — without the second
 * MaxPool for the indices and the ScatterElements of the general rule, which ORT runs
 * 4x slower. In NCHW one row of windows (k₁ input rows of width W) is contiguous, so a
 * constant 0/1 matrix V [k₁·W, O₂] (V[j, o] = 1 when column j mod W lies in window o)
 * moves between windows and their elements with MatMuls instead of interleaved broadcasts:
 *   mask = (X == Y·Vᵀ),  count = mask·V,  dX = mask ⊙ ((dY / count)·Vᵀ).
 * Rows and columns no window covers (floor mode) are cut off first and get zeros after.
 *
 * Ties: a window with several maxima splits dY evenly among them (dY / count each), a
 * subgradient that keeps the total; TensorFlow, and the general rule (ORT's Indices), give
 * all of it to the first. They agree wherever the max is unique, and after a ReLU, where
 * tied zeros get no gradient either way. An infinite Y turns its row of windows to NaN
 * (0·∞ in the MatMul), where the loss is no longer finite anyway.
 */
import { attr } from '../../onnx/onnx-builder.ts'
import { onnxElementTypeOf } from '../../onnx/onnx-datatypes.ts'
import { floatTensor } from '../gradient-context.ts'
import { windowOutputSize, type WindowGeometry } from '../conv-geometry.ts'
import type { GradientContext } from '../gradient-rule.ts'

/**
 * Most windows per row: the MatMuls cost 2·O₂ flops per element, which stays below the
 * elementwise passes' memory time up to about this width.
 */
export const BLOCK_ROW_LIMIT = 32

const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i)

/** Whether windows tile the input without overlap or gaps inside them. */
function isBlockGeometry(geometry: WindowGeometry, spatial: readonly number[]): boolean {
  const { kernel, strides, dilations, pads } = geometry
  if (!pads || pads.some((pad) => pad !== 0) || spatial.some((size) => size < 0)) return false
  if (kernel.some((size, axis) => strides[axis] !== size || dilations[axis] !== 1)) return false
  // A ceil-mode window that runs past the input would be partial.
  return spatial.every((size, axis) => windowOutputSize(geometry, axis, size) === Math.floor(size / kernel[axis]!))
}

/** dX for a block MaxPool, or undefined where this formulation does not apply. */
export function blockMaxPoolGradient(context: GradientContext, x: string, y: string, dy: string, geometry: WindowGeometry): string | undefined {
  const shape = context.shapeOf(x)
  const spatial = shape?.slice(2) ?? []
  if (spatial.length < 1 || spatial.length > 2 || !isBlockGeometry(geometry, spatial)) return undefined
  const kernel = geometry.kernel
  const outputs = spatial.map((size, axis) => Math.floor(size / kernel[axis]!))
  const covered = outputs.map((count, axis) => count * kernel[axis]!)
  const windows = outputs.at(-1)!
  if (windows > BLOCK_ROW_LIMIT) return undefined
  const rank = spatial.length
  const width = covered.at(-1)!
  const rowKernel = rank === 2 ? kernel[0]! : 1
  const block = rowKernel * width
  const isCut = covered.some((size, axis) => size !== spatial[axis])
  const axes = range(2, rank + 2)
  const input = isCut ? context.op('Slice', [x, context.int64s(axes.map(() => 0)), context.int64s(covered), context.int64s(axes)]) : x

  const datatype = context.datatypeOf(dy)
  const inWindow = (column: number, window: number) => (Math.floor((column % width) / kernel.at(-1)!) === window ? 1 : 0)
  const gather = context.constant(floatTensor(datatype, [block, windows], range(0, block).flatMap((column) => range(0, windows).map((window) => inWindow(column, window)))))
  const spread = context.constant(floatTensor(datatype, [windows, block], range(0, windows).flatMap((window) => range(0, block).map((column) => inWindow(column, window)))))

  const rows = context.op('Reshape', [input, context.int64s([0, 0, ...outputs.slice(0, -1), block])])
  const isMax = context.op('Equal', [rows, context.op('MatMul', [y, spread])])
  const mask = context.op('Cast', [isMax], { to: attr.int(onnxElementTypeOf(datatype)) })
  const shares = context.op('Div', [dy, context.op('MatMul', [mask, gather])])
  const routed = context.op('Reshape', [context.op('Mul', [mask, context.op('MatMul', [shares, spread])]), context.int64s([0, 0, ...covered])])
  if (!isCut) return routed
  const ends = spatial.map((size, axis) => size - covered[axis]!)
  return context.op('Pad', [routed, context.int64s([0, 0, ...Array<number>(rank).fill(0), 0, 0, ...ends])])
}
