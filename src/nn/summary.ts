/**
 * @module nn/summary
 * Keras' model.summary(): per layer its type, output shape and parameter count (and, for
 * functional models, what it is connected to), then total / trainable / non-trainable
 * counts. Returned both as data and as Keras-like text.
 */
import type { Topology } from './functional.ts'
import { InputLayer } from './layers/core-layers.ts'
import type { ModelWeight } from './model-weights.ts'
import { formatShape } from './shape.ts'

export interface LayerSummary {
  readonly name: string
  readonly className: string
  /** Keras notation, e.g. '(None, 26, 26, 32)'; 'multiple' for a layer called more than once. */
  readonly outputShape: string
  readonly params: number
  /** Producers of the inputs, as Keras prints them: 'conv2d[0][0]'. */
  readonly connectedTo: readonly string[]
}

export interface ModelSummary {
  readonly name: string
  readonly kind: 'Sequential' | 'Functional'
  readonly layers: readonly LayerSummary[]
  readonly totalParams: number
  readonly trainableParams: number
  readonly nonTrainableParams: number
}

export function summarizeModel(name: string, kind: 'Sequential' | 'Functional', topology: Topology, weights: readonly ModelWeight[]): ModelSummary {
  const callIndex = new Map(topology.layers.map((layer) => [layer, topology.calls.filter((call) => call.layer === layer)]))
  const layers = topology.layers
    .filter((layer) => kind === 'Functional' || !(layer instanceof InputLayer))
    .map((layer): LayerSummary => {
      const calls = callIndex.get(layer)!
      return {
        name: layer.name,
        className: layer.className,
        outputShape: calls.length === 1 ? formatShape(calls[0]!.output.shape) : 'multiple',
        params: weights.filter((weight) => weight.layer === layer).reduce((sum, weight) => sum + weight.size, 0),
        connectedTo: calls.flatMap((call) =>
          call.inputs.map((tensor) => `${tensor.call.layer.name}[${callIndex.get(tensor.call.layer)!.indexOf(tensor.call)}][0]`),
        ),
      }
    })
  const trainableParams = weights.filter((weight) => weight.trainable).reduce((sum, weight) => sum + weight.size, 0)
  const totalParams = weights.reduce((sum, weight) => sum + weight.size, 0)
  return { name, kind, layers, totalParams, trainableParams, nonTrainableParams: totalParams - trainableParams }
}

const count = (value: number) => value.toLocaleString('en-US')

/** The Keras-style text table. */
export function formatSummary(summary: ModelSummary): string {
  const functional = summary.kind === 'Functional'
  const widths = functional ? [34, 26, 11, 30] : [30, 26, 11]
  const width = widths.reduce((sum, column) => sum + column, 0)
  const row = (cells: readonly string[]) => cells.map((cell, index) => ` ${cell}`.padEnd(widths[index]! - 1) + ' ').join('').trimEnd()
  const header = ['Layer (type)', 'Output Shape', 'Param #', ...(functional ? ['Connected to'] : [])]
  const lines = [`Model: "${summary.name}"`, '_'.repeat(width), row(header), '='.repeat(width)]
  summary.layers.forEach((layer, index) => {
    const [first = '', ...rest] = layer.connectedTo
    lines.push(row([`${layer.name} (${layer.className})`, layer.outputShape, String(layer.params), ...(functional ? [first] : [])]))
    for (const more of functional ? rest : []) lines.push(row(['', '', '', more]))
    if (index < summary.layers.length - 1) lines.push('')
  })
  lines.push('='.repeat(width))
  lines.push(`Total params: ${count(summary.totalParams)}`, `Trainable params: ${count(summary.trainableParams)}`, `Non-trainable params: ${count(summary.nonTrainableParams)}`)
  lines.push('_'.repeat(width))
  return lines.join('\n')
}
