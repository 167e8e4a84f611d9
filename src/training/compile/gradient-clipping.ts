/**
 * @module training/compile/gradient-clipping
 * Clipping by global norm (Keras' global_clipnorm / TF's clip_by_global_norm): every
 * gradient is scaled by min(1, clipNorm / ||all gradients||), in the graph.
 */
import { attr, type GraphBuilder } from '../../onnx/onnx-builder.ts'
import { floatScalar } from './graph-constants.ts'

export function emitClipByGlobalNorm(graph: GraphBuilder, gradients: readonly string[], clipNorm: number): string[] {
  if (gradients.length === 0) return []
  const squares = gradients.map((gradient) => {
    const [squared] = graph.node('Mul', [gradient, gradient])
    // ReduceSum without an axes input sums every element (opset 13+); keepdims 0 makes it a scalar.
    return graph.node('ReduceSum', [squared!], { attributes: { keepdims: attr.int(0) } })[0]!
  })
  const [total] = squares.length === 1 ? [squares[0]!] : graph.node('Sum', squares)
  const [norm] = graph.node('Sqrt', [total!])
  // scale = clipNorm / max(norm, clipNorm), which is 1 while the norm is within bounds.
  const [bounded] = graph.node('Max', [norm!, floatScalar(graph, clipNorm)])
  const [scale] = graph.node('Div', [floatScalar(graph, clipNorm), bounded!])
  return gradients.map((gradient) => graph.node('Mul', [gradient, scale!])[0]!)
}
