/**
 * @module training/compile/compile-test-support
 * Runs a small GraphBuilder graph in onnxruntime-node with FP32 inputs, for the tests of
 * the graph fragments in this folder (imported by tests only).
 */
import ort from 'onnxruntime-node'
import type { GraphBuilder } from '../../onnx/onnx-builder.ts'

export type Feed = Float32Array | BigInt64Array

export async function runGraph(graph: GraphBuilder, feeds: Record<string, { data: Feed; shape: number[] }>): Promise<Record<string, number[]>> {
  const session = await ort.InferenceSession.create(graph.toBytes(), { graphOptimizationLevel: 'disabled', intraOpNumThreads: 1 })
  try {
    const tensors: Record<string, ort.Tensor> = {}
    for (const [name, { data, shape }] of Object.entries(feeds)) {
      tensors[name] = data instanceof BigInt64Array ? new ort.Tensor('int64', data, shape) : new ort.Tensor('float32', data, shape)
    }
    const results = await session.run(tensors)
    const out: Record<string, number[]> = {}
    for (const [name, value] of Object.entries(results)) out[name] = Array.from(value.data as Float32Array, Number)
    return out
  } finally {
    await session.release()
  }
}

export function assertClose(actual: readonly number[], expected: readonly number[], tolerance = 1e-5, what = 'value'): void {
  if (actual.length !== expected.length) throw new Error(`${what}: ${actual.length} values, expected ${expected.length}`)
  actual.forEach((value, index) => {
    const scale = Math.max(1, Math.abs(expected[index]!))
    if (!(Math.abs(value - expected[index]!) <= tolerance * scale)) {
      throw new Error(`${what}[${index}] = ${value}, expected ${expected[index]} (tolerance ${tolerance})`)
    }
  })
}
