/**
 * @module autodiff/rules/reductions
 * Gradients of ReduceSum (axes as an input, opset 13+), ReduceMean (axes as an attribute
 * until opset 18) and GlobalAveragePool: the output gradient is broadcast back over the
 * reduced axes (re-inserting them first when keepdims=0), divided by the count for means.
 */
import { attr, type GraphNode } from '../../onnx/onnx-builder.ts'
import { onnxElementTypeOf } from '../../onnx/onnx-datatypes.ts'
import { intAttribute, intsAttribute, optionalInput, type GradientContext, type GradientRule } from '../gradient-rule.ts'
import { staticSize } from '../value-facts.ts'

/** Broadcasts dY back to the shape of x; `axes` (an INT64 value) are re-inserted when keepdims=0. */
function spread(context: GradientContext, node: GraphNode, dy: string, axes: string | undefined): string {
  const x = node.inputs[0]!
  // keepdims=0 with no axes reduced everything: dY is a scalar and broadcasts as it is.
  // Unsqueeze takes the same axes as the reduction (negative ones count from the output rank, which is x's).
  const kept = intAttribute(node, 'keepdims', 1) === 1 || axes === undefined ? dy : context.op('Unsqueeze', [dy, axes])
  return context.op('Expand', [kept, context.op('Shape', [x])])
}

/** The number of input elements per output element, as a scalar of dY's type. */
function countPerOutput(context: GradientContext, x: string, y: string, dy: string): string {
  const xShape = context.shapeOf(x)
  const yShape = context.shapeOf(y)
  if (xShape && yShape && staticSize(xShape) > 0 && staticSize(yShape) > 0) return context.scalar(staticSize(xShape) / staticSize(yShape), dy)
  const type = { to: attr.int(onnxElementTypeOf(context.datatypeOf(dy))) }
  return context.op('Div', [context.op('Cast', [context.op('Size', [x])], type), context.op('Cast', [context.op('Size', [y])], type)])
}

const reduceSum: GradientRule = {
  differentiableInputs: [0],
  backward(node, [dy], context) {
    const axes = optionalInput(node, 1)
    const noop = intAttribute(node, 'noop_with_empty_axes', 0) === 1
    if (axes === undefined && noop) return [dy]
    return [spread(context, node, dy!, axes)]
  },
}

const reduceMean: GradientRule = {
  differentiableInputs: [0],
  backward(node, [dy], context) {
    const axesValues = intsAttribute(node, 'axes')
    const axes = axesValues && axesValues.length > 0 ? context.int64s(axesValues) : undefined
    const spreadGradient = spread(context, node, dy!, axes)
    return [context.op('Div', [spreadGradient, countPerOutput(context, node.inputs[0]!, node.outputs[0]!, dy!)])]
  },
}

const globalAveragePool: GradientRule = {
  differentiableInputs: [0],
  backward(node, [dy], context) {
    const x = node.inputs[0]!
    const spreadGradient = context.op('Expand', [dy!, context.op('Shape', [x])])
    return [context.op('Div', [spreadGradient, countPerOutput(context, x, node.outputs[0]!, dy!)])]
  },
}

export const REDUCTION_RULES: ReadonlyMap<string, GradientRule> = new Map([
  ['ReduceSum', reduceSum],
  ['ReduceMean', reduceMean],
  ['GlobalAveragePool', globalAveragePool],
])
