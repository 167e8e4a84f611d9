/**
 * @module autodiff/rules/elementwise
 * Gradients of the broadcasting arithmetic ops (Add, Sub, Mul, Div, Sum, Pow, Max, Min,
 * Where, Expand) and of simple element-wise maps (Neg, Identity, Sqrt, Abs, Exp, Log, Cast,
 * Clip). Every operand's gradient is summed back to that operand's shape, because
 * broadcasting copies an operand to many output elements.
 */
import { attr, type GraphNode } from '../../onnx/onnx-builder.ts'
import { onnxElementTypeOf } from '../../onnx/onnx-datatypes.ts'
import { reduceToOperand } from '../broadcast-reduction.ts'
import { optionalInput, type GradientContext, type GradientRule } from '../gradient-rule.ts'
import { isFloatDatatype } from '../value-facts.ts'

/** Reduces a full-shape gradient to input `index` of a broadcasting node. */
export function reduceToInput(context: GradientContext, node: GraphNode, gradient: string, index: number): string {
  const others = node.inputs.filter((name, i) => i !== index && name !== '').map((name) => context.shapeOf(name))
  return reduceToOperand(context, gradient, node.inputs[index]!, others)
}

/** A rule for a binary broadcasting op from the full-shape gradients of both operands. */
function binary(
  gradients: (context: GradientContext, dy: string, a: string, b: string, y: string) => readonly [() => string, () => string],
  differentiableInputs: readonly number[] = [0, 1],
): GradientRule {
  return {
    differentiableInputs,
    backward(node, [dy], context) {
      const [a, b] = node.inputs as [string, string]
      const [ofA, ofB] = gradients(context, dy!, a, b, node.outputs[0]!)
      return [
        context.needsGradient(0) ? reduceToInput(context, node, ofA(), 0) : undefined,
        context.needsGradient(1) ? reduceToInput(context, node, ofB(), 1) : undefined,
      ]
    },
  }
}

/** A rule for a unary op whose gradient is `dX = f(dY, X, Y)`. */
export function unary(gradient: (context: GradientContext, dy: string, x: string, y: string, node: GraphNode) => string): GradientRule {
  return {
    differentiableInputs: [0],
    backward: (node, [dy], context) => [gradient(context, dy!, node.inputs[0]!, node.outputs[0]!, node)],
  }
}

const add = binary((_, dy) => [() => dy, () => dy])
const sub = binary((context, dy) => [() => dy, () => context.op('Neg', [dy])])
const mul = binary((context, dy, a, b) => [() => context.op('Mul', [dy, b]), () => context.op('Mul', [dy, a])])
// d(a/b)/db = -a/b² = -y/b: reuses the forward output instead of squaring b.
const div = binary((context, dy, _a, b, y) => [
  () => context.op('Div', [dy, b]),
  () => context.op('Neg', [context.op('Div', [context.op('Mul', [dy, y]), b])]),
])

/** Max/Min route the gradient to the operand that won (ties go to the first operand). */
function extremum(compare: 'GreaterOrEqual' | 'LessOrEqual'): GradientRule {
  return {
    differentiableInputs: 'all',
    backward(node, [dy], context) {
      if (node.inputs.length === 1) return [dy]
      if (node.inputs.length !== 2) throw context.unsupported('only one or two inputs are supported')
      const [a, b] = node.inputs as [string, string]
      const firstWins = context.op('Cast', [context.op(compare, [a, b])], { to: attr.int(onnxElementTypeOf(context.datatypeOf(dy!))) })
      const ofA = context.op('Mul', [dy!, firstWins])
      return [
        context.needsGradient(0) ? reduceToInput(context, node, ofA, 0) : undefined,
        context.needsGradient(1) ? reduceToInput(context, node, context.op('Sub', [dy!, ofA]), 1) : undefined,
      ]
    },
  }
}

const sum: GradientRule = {
  differentiableInputs: 'all',
  backward: (node, [dy], context) => node.inputs.map((_, index) => (context.needsGradient(index) ? reduceToInput(context, node, dy!, index) : undefined)),
}

// d(x^p)/dx = p·x^(p-1); the exponent is taken as a constant (no gradient to it).
const pow: GradientRule = {
  differentiableInputs: [0],
  backward(node, [dy], context) {
    const [x, p] = node.inputs as [string, string]
    const exponent = context.op('Cast', [p], { to: attr.int(onnxElementTypeOf(context.datatypeOf(x))) })
    const lowered = context.op('Pow', [x, context.op('Sub', [exponent, context.scalar(1, x)])])
    return [reduceToInput(context, node, context.op('Mul', [dy!, context.op('Mul', [exponent, lowered])]), 0)]
  },
}

const where: GradientRule = {
  differentiableInputs: [1, 2],
  backward(node, [dy], context) {
    const condition = node.inputs[0]!
    const zero = context.scalar(0, dy!)
    return [
      undefined,
      context.needsGradient(1) ? reduceToInput(context, node, context.op('Where', [condition, dy!, zero]), 1) : undefined,
      context.needsGradient(2) ? reduceToInput(context, node, context.op('Where', [condition, zero, dy!]), 2) : undefined,
    ]
  },
}

const expand: GradientRule = {
  differentiableInputs: [0],
  backward: (node, [dy], context) => [reduceToOperand(context, dy!, node.inputs[0]!, [context.shapeOf(node.outputs[0]!)])],
}

// Float-to-float casts pass the gradient back in the input's type; casts to integers stop it.
const cast: GradientRule = {
  differentiableInputs: [0],
  backward(node, [dy], context) {
    const from = context.datatypeOf(node.inputs[0]!)
    if (!isFloatDatatype(from) || !isFloatDatatype(context.datatypeOf(node.outputs[0]!))) return []
    return [context.op('Cast', [dy!], { to: attr.int(onnxElementTypeOf(from)) })]
  },
}

// The gradient passes where min <= x <= max (PyTorch's convention at the bounds).
const clip: GradientRule = {
  differentiableInputs: [0],
  backward(node, [dy], context) {
    const x = node.inputs[0]!
    const low = optionalInput(node, 1)
    const high = optionalInput(node, 2)
    const tests = [...(low ? [context.op('GreaterOrEqual', [x, low])] : []), ...(high ? [context.op('LessOrEqual', [x, high])] : [])]
    if (tests.length === 0) return [dy]
    const inside = tests.length === 2 ? context.op('And', tests) : tests[0]!
    return [context.op('Where', [inside, dy!, context.scalar(0, dy!)])]
  },
}

export const ELEMENTWISE_RULES: ReadonlyMap<string, GradientRule> = new Map([
  ['Add', add],
  ['Sub', sub],
  ['Mul', mul],
  ['Div', div],
  ['Sum', sum],
  ['Pow', pow],
  ['Max', extremum('GreaterOrEqual')],
  ['Min', extremum('LessOrEqual')],
  ['Where', where],
  ['Expand', expand],
  ['Cast', cast],
  ['Clip', clip],
  ['Identity', unary((_, dy) => dy)],
  ['Neg', unary((context, dy) => context.op('Neg', [dy]))],
  ['Sqrt', unary((context, dy, _x, y) => context.op('Div', [dy, context.op('Mul', [y, context.scalar(2, y)])]))],
  ['Abs', unary((context, dy, x) => context.op('Mul', [dy, context.op('Sign', [x])]))],
  ['Exp', unary((context, dy, _x, y) => context.op('Mul', [dy, y]))],
  ['Log', unary((context, dy, x) => context.op('Div', [dy, x]))],
  ['Reciprocal', unary((context, dy, _x, y) => context.op('Neg', [context.op('Mul', [dy, context.op('Mul', [y, y])])]))],
])
