/**
 * @module autodiff/gradient-registry
 * The default gradient rules, one per op type, gathered from the rule families in rules/.
 * Ops listed as non-differentiable (comparisons, index and shape producers, label encoders)
 * stop gradient paths instead of failing them.
 */
import { NON_DIFFERENTIABLE, type GradientRule, type GradientRules } from './gradient-rule.ts'
import { ACTIVATION_RULES } from './rules/activations.ts'
import { CONV_RULES } from './rules/conv.ts'
import { DROPOUT_RULES } from './rules/dropout.ts'
import { ELEMENTWISE_RULES } from './rules/elementwise.ts'
import { GATHER_RULES } from './rules/gather.ts'
import { MATMUL_RULES } from './rules/matmul.ts'
import { NORMALIZATION_RULES } from './rules/normalization.ts'
import { POOLING_RULES } from './rules/pooling.ts'
import { REDUCTION_RULES } from './rules/reductions.ts'
import { SHAPE_RULES } from './rules/shape-ops.ts'
import { SOFTMAX_CROSS_ENTROPY_RULES } from './rules/softmax-cross-entropy.ts'

/** Ops whose outputs are constant almost everywhere or not real-valued: no gradient flows through them. */
export const NON_DIFFERENTIABLE_OPS = [
  'OneHot', 'Equal', 'Greater', 'Less', 'GreaterOrEqual', 'LessOrEqual', 'Not', 'And', 'Or', 'Xor',
  'ArgMax', 'ArgMin', 'Shape', 'Size', 'Constant', 'ConstantOfShape', 'NonZero', 'Range', 'EyeLike',
  'Sign', 'Floor', 'Ceil', 'Round', 'IsNaN', 'IsInf', 'RandomNormal', 'RandomUniform', 'RandomNormalLike', 'RandomUniformLike',
] as const

const FAMILIES: readonly GradientRules[] = [
  ELEMENTWISE_RULES, ACTIVATION_RULES, MATMUL_RULES, REDUCTION_RULES, SHAPE_RULES,
  CONV_RULES, POOLING_RULES, NORMALIZATION_RULES, GATHER_RULES, DROPOUT_RULES, SOFTMAX_CROSS_ENTROPY_RULES,
]

/** Every built-in rule, by op type. */
export const DEFAULT_GRADIENT_RULES: GradientRules = new Map<string, GradientRule>([
  ...FAMILIES.flatMap((family) => [...family]),
  ...NON_DIFFERENTIABLE_OPS.map((op): [string, GradientRule] => [op, NON_DIFFERENTIABLE]),
])

/** Op types that have a gradient rule (or are known to need none). */
export function listGradientOps(): string[] {
  return [...DEFAULT_GRADIENT_RULES.keys()].sort()
}
