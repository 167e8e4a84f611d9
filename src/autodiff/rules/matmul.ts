/**
 * @module autodiff/rules/matmul
 * Gradients of MatMul (batched, broadcast, 1-D operands) and Gemm (transA, transB, alpha,
 * beta, optional C). Gemm gradients are Gemms again, so the transposes fold into flags.
 */
import { attr } from '../../onnx/onnx-builder.ts'
import { reduceToOperand } from '../broadcast-reduction.ts'
import { floatAttribute, intAttribute, optionalInput, type GradientContext, type GradientRule } from '../gradient-rule.ts'

function swapLastTwo(context: GradientContext, value: string, rank: number): string {
  const perm = Array.from({ length: rank }, (_, axis) => axis)
  perm[rank - 2] = rank - 1
  perm[rank - 1] = rank - 2
  return context.op('Transpose', [value], { perm: attr.ints(perm) })
}

// 1-D operands are promoted as numpy does ([K] → [1,K] for A, [K,1] for B) and the matching
// axis is added to dY, so that the N-D formulas dA = dY·Bᵀ, dB = Aᵀ·dY apply unchanged.
const matmul: GradientRule = {
  differentiableInputs: [0, 1],
  backward(node, [dy], context) {
    const [a, b] = node.inputs as [string, string]
    const rankA = context.rankOf(a)
    const rankB = context.rankOf(b)
    if (rankA === undefined || rankB === undefined) throw context.unsupported('the ranks of both operands must be known')
    let grad = dy!
    let a2 = a
    let b2 = b
    // B's trailing axis first: with two 1-D operands dY is a scalar and gains [1] then [1, 1].
    if (rankB === 1) {
      b2 = context.op('Unsqueeze', [b, context.int64s([1])])
      grad = context.op('Unsqueeze', [grad, context.int64s([-1])])
    }
    if (rankA === 1) {
      a2 = context.op('Unsqueeze', [a, context.int64s([0])])
      grad = context.op('Unsqueeze', [grad, context.int64s([-2])])
    }
    const shapeA = context.shapeOf(a2)
    const shapeB = context.shapeOf(b2)
    // Only batch dims broadcast: the matrix dims of the other operand count as 1 for the reduction.
    const matrixOnly = (shape: readonly number[] | undefined) => shape && [...shape.slice(0, -2), 1, 1]
    const result: (string | undefined)[] = [undefined, undefined]
    if (context.needsGradient(0)) {
      const full = context.op('MatMul', [grad, swapLastTwo(context, b2, Math.max(rankB, 2))])
      const reduced = reduceToOperand(context, full, a2, [matrixOnly(shapeB)])
      result[0] = rankA === 1 ? context.op('Reshape', [reduced, context.op('Shape', [a])]) : reduced
    }
    if (context.needsGradient(1)) {
      const full = context.op('MatMul', [swapLastTwo(context, a2, Math.max(rankA, 2)), grad])
      const reduced = reduceToOperand(context, full, b2, [matrixOnly(shapeA)])
      result[1] = rankB === 1 ? context.op('Reshape', [reduced, context.op('Shape', [b])]) : reduced
    }
    return result
  },
}

// Y = α·A'·B' + β·C with A' = transA ? Aᵀ : A, B' = transB ? Bᵀ : B.
const gemm: GradientRule = {
  differentiableInputs: 'all',
  backward(node, [dy], context) {
    const [a, b] = node.inputs as [string, string]
    const transA = intAttribute(node, 'transA', 0) === 1
    const transB = intAttribute(node, 'transB', 0) === 1
    const alpha = floatAttribute(node, 'alpha', 1)
    const beta = floatAttribute(node, 'beta', 1)
    const product = (left: string, right: string, tLeft: boolean, tRight: boolean) =>
      context.op('Gemm', [left, right], { transA: attr.int(tLeft ? 1 : 0), transB: attr.int(tRight ? 1 : 0), alpha: attr.float(alpha) })
    const result: (string | undefined)[] = [undefined, undefined, undefined]
    // dA' = α·dY·B'ᵀ; dA = transA ? (dA')ᵀ = α·B'·dYᵀ : dA'.
    if (context.needsGradient(0)) result[0] = transA ? product(b, dy!, transB, true) : product(dy!, b, false, !transB)
    // dB' = α·A'ᵀ·dY; dB = transB ? (dB')ᵀ = α·dYᵀ·A' : dB'.
    if (context.needsGradient(1)) result[1] = transB ? product(dy!, a, true, transA) : product(a, dy!, !transA, false)
    const c = optionalInput(node, 2)
    if (c && context.needsGradient(2)) {
      const scaled = beta === 1 ? dy! : context.op('Mul', [dy!, context.scalar(beta, dy!)])
      result[2] = reduceToOperand(context, scaled, c, [context.shapeOf(node.outputs[0]!)])
    }
    return result
  },
}

export const MATMUL_RULES: ReadonlyMap<string, GradientRule> = new Map([
  ['MatMul', matmul],
  ['Gemm', gemm],
])
