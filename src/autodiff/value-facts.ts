/**
 * @module autodiff/value-facts
 * The vocabulary of static shape knowledge shared by shape inference, the gradient context
 * and the rules: what is known about a value, and small pure helpers over static shapes
 * (dims are numbers, -1 where dynamic).
 */
import type { Datatype } from '../core/datatypes.ts'

/** What is statically known about one value. */
export interface ValueFacts {
  readonly datatype?: Datatype
  readonly shape?: readonly number[]
  /** The values of a small constant tensor (row-major), as numbers. */
  readonly value?: readonly number[]
}

/** Reads the facts of a value (undefined: nothing known). */
export type FactsLookup = (name: string) => ValueFacts | undefined

/** Converts a declared shape (strings or negatives for dynamic dims) to numbers with -1. */
export function staticShape(shape: readonly (number | string)[]): number[] {
  return shape.map((dim) => (typeof dim === 'number' && dim >= 0 ? dim : -1))
}

/** Numpy-style broadcast of static shapes; -1 where the result cannot be known. */
export function broadcastShapes(shapes: readonly (readonly number[])[]): number[] {
  const rank = Math.max(0, ...shapes.map((shape) => shape.length))
  const result: number[] = []
  for (let axis = 0; axis < rank; axis++) {
    let dim = 1
    for (const shape of shapes) {
      const own = shape[axis - (rank - shape.length)] ?? 1
      if (own === 1) continue
      if (own === -1) dim = dim === 1 ? -1 : dim
      else dim = own
    }
    result.push(dim)
  }
  return result
}

/** Product of static dims; -1 when any is dynamic. */
export function staticSize(shape: readonly number[]): number {
  return shape.some((dim) => dim < 0) ? -1 : shape.reduce((product, dim) => product * dim, 1)
}

/** An axis in [0, rank). */
export function normalizeAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis
}

/** Whether a datatype is a float type (gradients flow only through those). */
export function isFloatDatatype(datatype: Datatype | undefined): boolean {
  return datatype === 'FP32' || datatype === 'FP64' || datatype === 'FP16'
}
