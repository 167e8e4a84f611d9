/**
 * @module training/compile/graph-constants
 * Named scalar and small vector constants for training graphs, stored as initializers (so
 * ORT folds them) and reused when the same value is asked for twice.
 */
import type { GraphBuilder } from '../../onnx/onnx-builder.ts'

const cache = new WeakMap<GraphBuilder, Map<string, string>>()

/** A float32 scalar constant (shape []). */
export function floatScalar(graph: GraphBuilder, value: number): string {
  return constant(graph, `f32:${value}`, () => ({ datatype: 'FP32', shape: [], data: new Float32Array([value]) }))
}

/** An int64 1-D constant, e.g. the axes input of ReduceSum. */
export function int64Vector(graph: GraphBuilder, values: readonly number[]): string {
  return constant(graph, `i64v:${values.join(',')}`, () => ({ datatype: 'INT64', shape: [values.length], data: BigInt64Array.from(values.map(BigInt)) }))
}

/** An int64 scalar constant. */
export function int64Scalar(graph: GraphBuilder, value: number): string {
  return constant(graph, `i64:${value}`, () => ({ datatype: 'INT64', shape: [], data: BigInt64Array.from([BigInt(value)]) }))
}

function constant(graph: GraphBuilder, key: string, make: () => Parameters<GraphBuilder['initializer']>[1]): string {
  let names = cache.get(graph)
  if (!names) cache.set(graph, (names = new Map()))
  const existing = names.get(key)
  if (existing) return existing
  const name = graph.uniqueName(`const_${key.replace(/[^\w.-]/g, '_')}`)
  graph.initializer(name, make())
  names.set(key, name)
  return name
}
