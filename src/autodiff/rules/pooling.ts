/**
 * @module autodiff/rules/pooling
 * Gradients of MaxPool and AveragePool (GlobalAveragePool is with the reductions).
 * MaxPool: non-overlapping windows take the fast block path (rules/max-pool-blocks); in
 * general dY goes to the argmax of each window, read from the Indices output (flat over
 * the whole tensor, storage_order 0), by a ScatterElements-add into zeros (opset 16+); a
 * second MaxPool recomputes the indices when the forward node does not output them.
 * AveragePool: dX is a depthwise ConvTranspose with a ones kernel of dY divided by each
 * window's divisor — the kernel size with count_include_pad=1, the number of non-pad
 * elements otherwise (counted by a Conv over ones); ceil_mode windows become extra end pads.
 */
import { attr } from '../../onnx/onnx-builder.ts'
import { floatTensor } from '../gradient-context.ts'
import { leftoverRows, windowGeometry } from '../conv-geometry.ts'
import { intAttribute, intsAttribute, type GradientContext, type GradientRule } from '../gradient-rule.ts'
import { transposedConvolution } from './conv.ts'
import { blockMaxPoolGradient } from './max-pool-blocks.ts'

const maxPool: GradientRule = {
  differentiableInputs: [0],
  backward(node, [dy], context) {
    const x = node.inputs[0]!
    const kernel = intsAttribute(node, 'kernel_shape')
    const spatial = context.shapeOf(x)?.slice(2)
    const blocks = kernel && spatial && blockMaxPoolGradient(context, x, node.outputs[0]!, dy!, windowGeometry(node, kernel, spatial))
    if (blocks) return [blocks]
    const ownIndices = node.outputs[1] && intAttribute(node, 'storage_order', 0) === 0 ? node.outputs[1] : undefined
    const indices = ownIndices ?? context.ops('MaxPool', [x], 2, { ...node.attributes, storage_order: attr.int(0) })[1]!
    const flat = context.int64s([-1])
    const zeros = context.op('Reshape', [context.zerosLike(x), flat])
    const scattered = context.op('ScatterElements', [zeros, context.op('Reshape', [indices, flat]), context.op('Reshape', [dy!, flat])], {
      axis: attr.int(0),
      reduction: attr.string('add'),
    })
    return [context.op('Reshape', [scattered, context.op('Shape', [x])])]
  },
}

function onesOfShape(context: GradientContext, shape: string, like: string): string {
  return context.op('ConstantOfShape', [shape], { value: attr.tensor(floatTensor(context.datatypeOf(like), [1], [1])) })
}

const averagePool: GradientRule = {
  differentiableInputs: [0],
  backward(node, [dy], context) {
    const x = node.inputs[0]!
    const xShape = context.shapeOf(x)
    const kernel = intsAttribute(node, 'kernel_shape')
    if (!xShape || !kernel) throw context.unsupported('the rank of X and kernel_shape must be known')
    const spatial = xShape.slice(2)
    const channels = xShape[1]!
    if (channels < 0) throw context.unsupported('the channel count must be static (it is the group of the adjoint ConvTranspose)')
    const forward = windowGeometry(node, kernel, spatial)
    if (!forward.pads) throw context.unsupported('auto_pad SAME needs static spatial sizes')
    if (forward.ceilMode && spatial.some((size) => size < 0)) throw context.unsupported('ceil_mode needs static spatial sizes')
    const rank = kernel.length
    // Ceil-mode windows that run past the padded input behave like extra zero padding at the end.
    const extra = spatial.map((size, axis) => (forward.ceilMode ? Math.max(0, -leftoverRows(forward, axis, size)) : 0))
    const pads = forward.pads.map((pad, index) => (index >= rank ? pad + extra[index - rank]! : pad))
    const geometry = { ...forward, pads, ceilMode: false }
    const includePad = intAttribute(node, 'count_include_pad', 0) === 1
    const windowOptions = { strides: attr.ints(geometry.strides), kernel_shape: attr.ints(kernel) }
    let divisor: string
    if (includePad && !forward.ceilMode) divisor = context.scalar(kernel.reduce((product, size) => product * size, 1), dy!)
    else {
      const spatialShape = context.op('Concat', [context.int64s([1, 1]), context.op('Shape', [x], { start: attr.int(2) })], { axis: attr.int(0) })
      let ones = onesOfShape(context, spatialShape, dy!)
      let countPads = pads
      if (includePad) {
        // Padding counts: pad the ones with ones, then only the ceil-mode overhang is zero padding.
        const padding = [0, 0, ...forward.pads.slice(0, rank), 0, 0, ...forward.pads.slice(rank)]
        ones = context.op('Pad', [ones, context.int64s(padding), context.scalar(1, dy!)])
        countPads = [...Array<number>(rank).fill(0), ...extra]
      }
      const onesKernel = onesOfShape(context, context.int64s([1, 1, ...kernel]), dy!)
      divisor = context.op('Conv', [ones, onesKernel], { ...windowOptions, pads: attr.ints(countPads) })
    }
    const scaled = context.op('Div', [dy!, divisor])
    const weight = onesOfShape(context, context.int64s([channels, 1, ...kernel]), dy!)
    return [transposedConvolution(context, scaled, weight, geometry, channels, x, spatial)]
  },
}

export const POOLING_RULES: ReadonlyMap<string, GradientRule> = new Map([
  ['MaxPool', maxPool],
  ['AveragePool', averagePool],
])
