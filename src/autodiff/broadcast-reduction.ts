/**
 * @module autodiff/broadcast-reduction
 * Sums a gradient that has the broadcast (output) shape back down to the shape of one
 * operand — the adjoint of numpy broadcasting. Decided statically when the shapes allow it
 * (the common `[N,C] + [C]` with a dynamic N included); otherwise the reduced axes are
 * computed at run time from Shape(), so dynamic dims are always handled correctly.
 */
import type { GradientContext } from './gradient-rule.ts'
import { attr } from '../onnx/onnx-builder.ts'

/**
 * Reduces `gradient` (shaped like the broadcast of `target` and `others`) to the run-time
 * shape of `target`. `others` are the static shapes of the other operands (undefined: unknown).
 */
export function reduceToOperand(
  context: GradientContext,
  gradient: string,
  target: string,
  others: readonly (readonly number[] | undefined)[],
): string {
  const plan = staticPlan(context.shapeOf(target), others)
  if (!plan) return reduceDynamically(context, gradient, target)
  let reduced = gradient
  if (plan.leading > 0) {
    const axes = Array.from({ length: plan.leading }, (_, axis) => axis)
    reduced = context.op('ReduceSum', [reduced, context.int64s(axes)], { keepdims: attr.int(0) })
  }
  if (plan.kept.length > 0) reduced = context.op('ReduceSum', [reduced, context.int64s(plan.kept)], { keepdims: attr.int(1) })
  return reduced
}

/** Leading axes to drop and target axes (of size 1) to sum with keepdims, or undefined when only run time can tell. */
export function staticPlan(
  target: readonly number[] | undefined,
  others: readonly (readonly number[] | undefined)[],
): { leading: number; kept: number[] } | undefined {
  if (!target || others.some((shape) => !shape)) return undefined
  const shapes = others as (readonly number[])[]
  const rank = Math.max(target.length, ...shapes.map((shape) => shape.length))
  const leading = rank - target.length
  const kept: number[] = []
  for (let axis = 0; axis < target.length; axis++) {
    const outputAxis = axis + leading
    const otherDims = shapes.map((shape) => shape[outputAxis - (rank - shape.length)] ?? 1)
    const dim = target[axis]!
    if (dim === 1) {
      if (otherDims.some((other) => other !== 1)) kept.push(axis)
    } else if (dim === -1) {
      // Dynamic: the output takes this dim unchanged only if no other operand contributes one.
      if (otherDims.some((other) => other !== 1)) return undefined
    }
  }
  return { leading, kept }
}

/** Sums over every axis where the target (left-padded with 1s to the gradient's rank) is 1. */
function reduceDynamically(context: GradientContext, gradient: string, target: string): string {
  const targetShape = context.op('Shape', [target])
  const targetRank = context.op('Size', [targetShape])
  const gradientRank = context.op('Size', [context.op('Shape', [gradient])])
  const missing = context.op('Unsqueeze', [context.op('Sub', [gradientRank, targetRank]), context.int64s([0])])
  const ones = context.op('ConstantOfShape', [missing], {
    value: attr.tensor({ datatype: 'INT64', shape: [1], data: BigInt64Array.of(1n) }),
  })
  const padded = context.op('Concat', [ones, targetShape], { axis: attr.int(0) })
  const isOne = context.op('Equal', [padded, context.int64s([1])])
  const axes = context.op('Reshape', [context.op('NonZero', [isOne]), context.int64s([-1])])
  const summed = context.op('ReduceSum', [gradient, axes], { keepdims: attr.int(1), noop_with_empty_axes: attr.int(1) })
  return context.op('Reshape', [summed, targetShape])
}
