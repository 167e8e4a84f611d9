/**
 * @module autodiff/rules/conv
 * Gradient of Conv (any spatial rank, strides, pads/auto_pad, dilations, group):
 * dX is a ConvTranspose of dY with the same weights, given output_padding so that it has
 * exactly X's size; dB sums dY. dW is one GEMM per kernel tap (rules/conv-taps)
 * where sizes are static and the Conv ungrouped; otherwise a correlation of X with dY
 * computed as a Conv over tensors with batch and channel axes swapped (forward stride and
 * dilation trade places), which is exact for every case but slow in ORT (dY is a huge kernel).
 */
import { attr } from '../../onnx/onnx-builder.ts'
import { leftoverRows, type WindowGeometry, windowGeometry } from '../conv-geometry.ts'
import { intAttribute, intsAttribute, optionalInput, type GradientContext, type GradientRule } from '../gradient-rule.ts'
import { tapWeightGradient } from './conv-taps.ts'

const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i)

/**
 * The adjoint of a Conv with `weight` and `geometry` (floor mode): a ConvTranspose whose
 * output has X's spatial size. Static sizes give the exact output_padding; dynamic ones get
 * the largest padding any size could need, and the result is cut to X's run-time size.
 */
export function transposedConvolution(
  context: GradientContext,
  dy: string,
  weight: string,
  geometry: WindowGeometry,
  group: number,
  x: string,
  spatial: readonly number[],
): string {
  const exact = spatial.every((size) => size >= 0)
  const outputPadding = exact ? spatial.map((size, axis) => leftoverRows(geometry, axis, size)) : geometry.strides.map((stride) => stride - 1)
  const output = context.op('ConvTranspose', [dy, weight], {
    strides: attr.ints(geometry.strides),
    dilations: attr.ints(geometry.dilations),
    pads: attr.ints(geometry.pads!),
    group: attr.int(group),
    output_padding: attr.ints(outputPadding),
  })
  if (exact || outputPadding.every((padding) => padding === 0)) return output
  const axes = range(2, spatial.length + 2)
  const ends = context.op('Shape', [x], { start: attr.int(2) })
  return context.op('Slice', [output, context.int64s(axes.map(() => 0)), ends, context.int64s(axes)])
}

/** dW[m, c, k] = Σ dY[n, m, o]·Xpad[n, c, o·s + k·d]: a Conv of Xᵀ with dYᵀ as the kernel. */
function correlationWeightGradient(context: GradientContext, x: string, dy: string, geometry: WindowGeometry, group: number, channels: number): string {
  const spatialRank = geometry.kernel.length
  const swap = [1, 0, ...range(2, spatialRank + 2)]
  let inputs = context.op('Transpose', [x], { perm: attr.ints(swap) }) // [C, N, S…]
  if (group > 1) {
    // Regroup [C, N, S…] as [C/g, g·N, S…] so that Conv's groups pair group j of X with group j of dY.
    const perGroup = channels / group
    const split = context.op('Reshape', [inputs, context.op('Concat', [context.int64s([group, perGroup]), context.op('Shape', [inputs], { start: attr.int(1) })], { axis: attr.int(0) })])
    const moved = context.op('Transpose', [split], { perm: attr.ints([1, 0, ...range(2, spatialRank + 3)]) })
    const target = context.op('Concat', [context.int64s([perGroup, -1]), context.op('Shape', [x], { start: attr.int(2) })], { axis: attr.int(0) })
    inputs = context.op('Reshape', [moved, target])
  }
  const kernel = context.op('Transpose', [dy], { perm: attr.ints(swap) }) // [M, N, O…]
  const correlation = context.op('Conv', [inputs, kernel], {
    strides: attr.ints(geometry.dilations),
    dilations: attr.ints(geometry.strides),
    pads: attr.ints(geometry.pads!),
    group: attr.int(group),
  })
  // The correlation can be longer than the kernel: the extra rows pair dY with input rows no window used.
  const axes = range(2, spatialRank + 2)
  const cut = context.op('Slice', [correlation, context.int64s(axes.map(() => 0)), context.int64s(geometry.kernel), context.int64s(axes)])
  return context.op('Transpose', [cut], { perm: attr.ints(swap) })
}

const conv: GradientRule = {
  differentiableInputs: 'all',
  backward(node, [dy], context) {
    const [x, w] = node.inputs as [string, string]
    const xShape = context.shapeOf(x)
    if (!xShape) throw context.unsupported('the rank of X must be known')
    const kernel = intsAttribute(node, 'kernel_shape') ?? context.shapeOf(w)?.slice(2)
    if (!kernel || kernel.some((size) => size < 0)) throw context.unsupported('the kernel shape must be known statically')
    const spatial = xShape.slice(2)
    const geometry = windowGeometry(node, kernel, spatial)
    if (!geometry.pads) throw context.unsupported('auto_pad SAME needs static spatial sizes')
    const group = intAttribute(node, 'group', 1)
    const bias = optionalInput(node, 2)
    const channels = xShape[1]!
    if (group > 1 && channels < 0 && context.needsGradient(1)) throw context.unsupported('grouped Conv needs a static channel count')
    return [
      context.needsGradient(0) ? transposedConvolution(context, dy!, w, geometry, group, x, spatial) : undefined,
      context.needsGradient(1) ? (tapWeightGradient(context, x, dy!, w, geometry, group) ?? correlationWeightGradient(context, x, dy!, geometry, group, channels)) : undefined,
      bias && context.needsGradient(2) ? context.op('ReduceSum', [dy!, context.int64s([0, ...range(2, spatial.length + 2)])], { keepdims: attr.int(0) }) : undefined,
    ]
  },
}

export const CONV_RULES: ReadonlyMap<string, GradientRule> = new Map([['Conv', conv]])
