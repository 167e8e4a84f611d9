/**
 * @module onnx/example-models
 * Small real models built with the GraphBuilder: Triton's quick-start "simple" add/sub model
 * (the embedded demo), an identity model for any datatype and a small seeded MLP. The test
 * suite and the benchmarks build their fixtures from these.
 */
import { mulberry32 } from '../core/mulberry32.ts'
import type { Datatype } from '../core/datatypes.ts'
import { GraphBuilder, attr, type BuildOptions } from './onnx-builder.ts'

/** Triton's "simple": INPUT0, INPUT1 INT32 [-1,16] → OUTPUT0 = sum, OUTPUT1 = difference. */
export function buildSimpleAddSub(datatype: Datatype = 'INT32', options: BuildOptions = {}): Uint8Array {
  const graph = new GraphBuilder('simple')
  const a = graph.input('INPUT0', datatype, [-1, 16])
  const b = graph.input('INPUT1', datatype, [-1, 16])
  graph.node('Add', [a, b], { outputs: ['OUTPUT0'] })
  graph.node('Sub', [a, b], { outputs: ['OUTPUT1'] })
  graph.output('OUTPUT0', datatype, [-1, 16])
  graph.output('OUTPUT1', datatype, [-1, 16])
  return graph.toBytes(options)
}

/** Passes its input through: `INPUT` → `OUTPUT`, same datatype and shape. */
export function buildIdentity(datatype: Datatype, shape: readonly (number | string)[] = [-1], options: BuildOptions = {}): Uint8Array {
  const graph = new GraphBuilder(`identity_${datatype.toLowerCase()}`)
  graph.input('INPUT', datatype, shape)
  graph.node('Identity', ['INPUT'], { outputs: ['OUTPUT'] })
  graph.output('OUTPUT', datatype, shape)
  return graph.toBytes(options)
}

/** Deterministic uniform values in [-scale, scale) from a 32-bit seed (mulberry32). */
export function seededUniform(count: number, seed: number, scale: number): Float32Array {
  const random = mulberry32(seed)
  // A loop rather than Float32Array.from with a callback: 2–3× faster on millions of values.
  const values = new Float32Array(count)
  for (let index = 0; index < count; index++) values[index] = (random() * 2 - 1) * scale
  return values
}

/**
 * A dense classifier `input` FP32 [-1, inputs] → relu hidden layers → `probabilities` FP32
 * [-1, classes] (softmax), with Glorot-uniform weights from `seed`.
 */
export function buildMlp(
  { inputs = 784, hidden = [128], classes = 10, seed = 1 }: { inputs?: number; hidden?: number[]; classes?: number; seed?: number } = {},
  options: BuildOptions = {},
): Uint8Array {
  const graph = new GraphBuilder('mlp')
  let current = graph.input('input', 'FP32', [-1, inputs])
  let width = inputs
  const widths = [...hidden, classes]
  widths.forEach((next, layer) => {
    const limit = Math.sqrt(6 / (width + next))
    const weights = graph.initializer(`dense_${layer}/kernel`, { datatype: 'FP32', shape: [width, next], data: seededUniform(width * next, seed + layer, limit) })
    const bias = graph.initializer(`dense_${layer}/bias`, { datatype: 'FP32', shape: [next], data: new Float32Array(next) })
    const [product] = graph.node('MatMul', [current, weights])
    const [sum] = graph.node('Add', [product!, bias])
    current = layer < widths.length - 1 ? graph.node('Relu', [sum!])[0]! : sum!
    width = next
  })
  graph.node('Softmax', [current], { outputs: ['probabilities'], attributes: { axis: attr.int(-1) } })
  graph.output('probabilities', 'FP32', [-1, classes])
  return graph.toBytes(options)
}
