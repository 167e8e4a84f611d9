/**
 * @module autodiff/conv-geometry
 * Sliding-window arithmetic shared by Conv, MaxPool and AveragePool: explicit pads from
 * auto_pad, output sizes, and the leftover rows a strided window never reaches (which a
 * transposed convolution must give back as output_padding to restore the input's size).
 */
import type { GraphNode } from '../onnx/onnx-builder.ts'
import { intAttribute, intsAttribute, stringAttribute } from './gradient-rule.ts'

/** The resolved window of a Conv/pool node over its spatial axes. */
export interface WindowGeometry {
  readonly kernel: readonly number[]
  readonly strides: readonly number[]
  readonly dilations: readonly number[]
  /** [begin..., end...] as ONNX writes them; undefined when auto_pad SAME meets a dynamic size. */
  readonly pads: readonly number[] | undefined
  readonly ceilMode: boolean
  readonly autoPad: string
}

/** Resolves a node's window; `spatial` are the input's spatial sizes (-1 where dynamic). */
export function windowGeometry(node: GraphNode, kernel: readonly number[], spatial: readonly number[]): WindowGeometry {
  const rank = kernel.length
  const strides = intsAttribute(node, 'strides') ?? Array<number>(rank).fill(1)
  const dilations = intsAttribute(node, 'dilations') ?? Array<number>(rank).fill(1)
  const autoPad = stringAttribute(node, 'auto_pad', 'NOTSET')
  const ceilMode = intAttribute(node, 'ceil_mode', 0) === 1
  let pads: number[] | undefined = [...(intsAttribute(node, 'pads') ?? Array<number>(2 * rank).fill(0))]
  if (autoPad === 'VALID') pads = Array<number>(2 * rank).fill(0)
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    if (spatial.some((size) => size < 0)) pads = undefined
    else {
      const begin: number[] = []
      const end: number[] = []
      spatial.forEach((size, axis) => {
        const stride = strides[axis]!
        const effective = (kernel[axis]! - 1) * dilations[axis]! + 1
        const total = Math.max(0, (Math.ceil(size / stride) - 1) * stride + effective - size)
        const small = Math.floor(total / 2)
        begin.push(autoPad === 'SAME_UPPER' ? small : total - small)
        end.push(autoPad === 'SAME_UPPER' ? total - small : small)
      })
      pads = [...begin, ...end]
    }
  }
  return { kernel, strides, dilations, pads, ceilMode, autoPad }
}

/** The effective extent of the kernel along `axis` ((k-1)·d + 1). */
export function effectiveKernel(geometry: WindowGeometry, axis: number): number {
  return (geometry.kernel[axis]! - 1) * geometry.dilations[axis]! + 1
}

/** The output size along `axis` for input size `size` (-1 stays -1). */
export function windowOutputSize(geometry: WindowGeometry, axis: number, size: number): number {
  if (size < 0) return -1
  const stride = geometry.strides[axis]!
  if (geometry.autoPad.startsWith('SAME')) return Math.ceil(size / stride)
  const pads = geometry.pads!
  const span = size + pads[axis]! + pads[axis + geometry.kernel.length]! - effectiveKernel(geometry, axis)
  const rounded = geometry.ceilMode ? Math.ceil(span / stride) : Math.floor(span / stride)
  // ONNX (and ORT) drop a ceil-mode window that would start inside the end padding.
  const last = geometry.ceilMode && rounded * stride >= size + pads[axis]! ? rounded - 1 : rounded
  return last + 1
}

/**
 * The input rows along `axis` that no window reaches past the last one: a transposed
 * convolution with the same stride yields `size - leftover` rows, so this is its output_padding.
 */
export function leftoverRows(geometry: WindowGeometry, axis: number, size: number): number {
  const pads = geometry.pads!
  const outputs = windowOutputSize(geometry, axis, size)
  const covered = (outputs - 1) * geometry.strides[axis]! + effectiveKernel(geometry, axis) - pads[axis]! - pads[axis + geometry.kernel.length]!
  return size - covered
}
