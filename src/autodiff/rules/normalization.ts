/**
 * @module autodiff/rules/normalization
 * Gradients of BatchNormalization (training form from the batch statistics, inference form
 * from the running ones) and LayerNormalization (opset 17). Statistics are recomputed in the
 * backward pass rather than read from optional outputs, which the forward node may omit.
 *
 * With x̂ = (x − μ)·σ⁻¹ and g = dY·scale, the input gradient of a normalisation over a set of
 * axes is σ⁻¹·(g − mean(g) − x̂·mean(g·x̂)).
 */
import { attr } from '../../onnx/onnx-builder.ts'
import { reduceToOperand } from '../broadcast-reduction.ts'
import { floatAttribute, intAttribute, optionalInput, type GradientContext, type GradientRule } from '../gradient-rule.ts'
import { normalizeAxis } from '../value-facts.ts'

function mean(context: GradientContext, value: string, axes: readonly number[]): string {
  return context.op('ReduceMean', [value], { axes: attr.ints(axes), keepdims: attr.int(1) })
}

/** σ⁻¹ = 1/√(var + ε). */
function inverseStd(context: GradientContext, variance: string, epsilon: number): string {
  return context.op('Reciprocal', [context.op('Sqrt', [context.op('Add', [variance, context.scalar(epsilon, variance)])])])
}

/** σ⁻¹·(g − mean(g) − x̂·mean(g·x̂)) over `axes`. */
function normalizedInputGradient(context: GradientContext, g: string, normalized: string, invStd: string, axes: readonly number[]): string {
  const centred = context.op('Sub', [g, mean(context, g, axes)])
  const projection = context.op('Mul', [normalized, mean(context, context.op('Mul', [g, normalized]), axes)])
  return context.op('Mul', [invStd, context.op('Sub', [centred, projection])])
}

const batchNormalization: GradientRule = {
  differentiableInputs: [0, 1, 2],
  backward(node, [dy], context) {
    if (!dy) return []
    const [x, scale, , runningMean, runningVar] = node.inputs as [string, string, string, string, string]
    const rank = context.rankOf(x)
    if (rank === undefined) throw context.unsupported('the rank of X must be known')
    const epsilon = floatAttribute(node, 'epsilon', 1e-5)
    const training = intAttribute(node, 'training_mode', 0) === 1
    const axes = [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2)]
    const axesValue = context.int64s(axes)
    const perChannel = (value: string) => context.op('Unsqueeze', [value, axesValue])
    const mu = training ? mean(context, x, axes) : perChannel(runningMean)
    const centred = context.op('Sub', [x, mu])
    const variance = training ? mean(context, context.op('Mul', [centred, centred]), axes) : perChannel(runningVar)
    const invStd = inverseStd(context, variance, epsilon)
    const normalized = context.op('Mul', [centred, invStd])
    const sum = (value: string) => context.op('ReduceSum', [value, axesValue], { keepdims: attr.int(0) })
    const g = context.op('Mul', [dy, perChannel(scale)])
    return [
      context.needsGradient(0)
        ? training ? normalizedInputGradient(context, g, normalized, invStd, axes) : context.op('Mul', [g, invStd])
        : undefined,
      context.needsGradient(1) ? sum(context.op('Mul', [dy, normalized])) : undefined,
      context.needsGradient(2) ? sum(dy) : undefined,
    ]
  },
}

const layerNormalization: GradientRule = {
  differentiableInputs: [0, 1, 2],
  backward(node, [dy], context) {
    if (!dy) return []
    const [x, scale] = node.inputs as [string, string]
    const bias = optionalInput(node, 2)
    const rank = context.rankOf(x)
    const axis = intAttribute(node, 'axis', -1)
    // A negative axis names the normalised axes without knowing the rank.
    if (rank === undefined && axis >= 0) throw context.unsupported('the rank of X must be known for a non-negative axis')
    const from = rank === undefined ? axis : normalizeAxis(axis, rank)
    const to = rank ?? 0
    const axes = Array.from({ length: to - from }, (_, i) => from + i)
    const mu = mean(context, x, axes)
    const centred = context.op('Sub', [x, mu])
    const invStd = inverseStd(context, mean(context, context.op('Mul', [centred, centred]), axes), floatAttribute(node, 'epsilon', 1e-5))
    const normalized = context.op('Mul', [centred, invStd])
    const full = [context.shapeOf(x)]
    return [
      context.needsGradient(0) ? normalizedInputGradient(context, context.op('Mul', [dy, scale]), normalized, invStd, axes) : undefined,
      context.needsGradient(1) ? reduceToOperand(context, context.op('Mul', [dy, normalized]), scale, full) : undefined,
      bias && context.needsGradient(2) ? reduceToOperand(context, dy, bias, full) : undefined,
    ]
  },
}

export const NORMALIZATION_RULES: ReadonlyMap<string, GradientRule> = new Map([
  ['BatchNormalization', batchNormalization],
  ['LayerNormalization', layerNormalization],
])
