/**
 * @module autodiff/rules/shape-ops
 * Gradients of ops that only move elements: Reshape, Flatten, Squeeze, Unsqueeze (the
 * gradient is reshaped back to the input's run-time shape), Transpose (inverse permutation),
 * Concat (Split of dY by the inputs' sizes) and Split (Concat of the output gradients, zeros
 * for outputs that do not reach the loss).
 */
import { attr } from '../../onnx/onnx-builder.ts'
import { intAttribute, intsAttribute, type GradientRule } from '../gradient-rule.ts'
import { normalizeAxis } from '../value-facts.ts'

const reshapeBack: GradientRule = {
  differentiableInputs: [0],
  backward: (node, [dy], context) => [context.op('Reshape', [dy!, context.op('Shape', [node.inputs[0]!])])],
}

const transpose: GradientRule = {
  differentiableInputs: [0],
  backward(node, [dy], context) {
    const perm = intsAttribute(node, 'perm')
    // The default permutation reverses the axes, which is its own inverse.
    if (!perm) return [context.op('Transpose', [dy!])]
    const inverse = perm.map((_, axis) => perm.indexOf(axis))
    return [context.op('Transpose', [dy!], { perm: attr.ints(inverse) })]
  },
}

const concat: GradientRule = {
  differentiableInputs: 'all',
  backward(node, [dy], context) {
    const rank = context.rankOf(node.inputs[0]!)
    const rawAxis = intAttribute(node, 'axis', 0)
    const axis = rank === undefined ? rawAxis : normalizeAxis(rawAxis, rank)
    const sizes = node.inputs.map((input) => context.shapeOf(input)?.[axis < 0 ? context.rankOf(input)! + axis : axis] ?? -1)
    const split = sizes.every((size) => size >= 0)
      ? context.int64s(sizes)
      : context.op('Concat', node.inputs.map((input) => context.op('Gather', [context.op('Shape', [input]), context.int64s([axis])])), { axis: attr.int(0) })
    return context.ops('Split', [dy!, split], node.inputs.length, { axis: attr.int(axis) })
  },
}

const split: GradientRule = {
  differentiableInputs: [0],
  backward(node, outputGradients, context) {
    const parts = node.outputs.map((output, index) => outputGradients[index] ?? context.zerosLike(output))
    return [context.op('Concat', parts, { axis: attr.int(intAttribute(node, 'axis', 0)) })]
  },
}

export const SHAPE_RULES: ReadonlyMap<string, GradientRule> = new Map([
  ['Reshape', reshapeBack],
  ['Flatten', reshapeBack],
  ['Squeeze', reshapeBack],
  ['Unsqueeze', reshapeBack],
  ['Transpose', transpose],
  ['Concat', concat],
  ['Split', split],
])
