/**
 * @module training/compile/metrics
 * Keras metrics as ONNX nodes computed in the same run as the loss: accuracy (sparse,
 * categorical or binary, chosen from the loss as Keras does), top-k accuracy, MSE, MAE. Each
 * is a batch mean; the trainer weights them by batch size over an epoch.
 */
import { InvalidArgumentError } from '../../core/errors.ts'
import { attr, type Attribute, type GraphBuilder } from '../../onnx/onnx-builder.ts'
import { floatScalar, int64Vector } from './graph-constants.ts'
import type { LossConfig } from './losses.ts'

export type MetricConfig =
  | { readonly name: 'accuracy' }
  | { readonly name: 'top_k_accuracy'; readonly k: number }
  | { readonly name: 'mean_squared_error' }
  | { readonly name: 'mean_absolute_error' }

export function parseMetric(value: unknown): MetricConfig {
  const config = typeof value === 'string' ? { name: value } : value
  const raw = (typeof config === 'object' && config !== null ? config : {}) as Record<string, unknown>
  switch (raw.name) {
    case 'accuracy':
    case 'acc':
      return { name: 'accuracy' }
    case 'top_k_accuracy':
    case 'sparse_top_k_categorical_accuracy': {
      const k = raw.k ?? 5
      if (!Number.isInteger(k) || (k as number) < 1) throw new InvalidArgumentError('metric top_k_accuracy: k must be a positive integer')
      return { name: 'top_k_accuracy', k: k as number }
    }
    case 'mse':
    case 'mean_squared_error':
      return { name: 'mean_squared_error' }
    case 'mae':
    case 'mean_absolute_error':
      return { name: 'mean_absolute_error' }
    default:
      throw new InvalidArgumentError(`metric '${String(raw.name ?? value)}' is not known; use accuracy, top_k_accuracy, mse or mae`)
  }
}

/** Emits a metric's FP32 scalar batch mean; `target` is as for the loss. */
export function emitMetric(graph: GraphBuilder, metric: MetricConfig, loss: LossConfig, prediction: string, target: string): string {
  const op = (type: string, inputs: string[], attributes: Record<string, Attribute> = {}) => graph.node(type, inputs, { attributes })[0]!
  const mean = (value: string) => op('ReduceMean', [op('Cast', [value], { to: attr.int(1) })], { keepdims: attr.int(0) })
  const sparse = loss.name === 'sparse_categorical_crossentropy'
  switch (metric.name) {
    case 'accuracy': {
      if (loss.name === 'binary_crossentropy') {
        const threshold = floatScalar(graph, loss.fromLogits ? 0 : 0.5)
        return mean(op('Equal', [op('Greater', [prediction, threshold]), op('Greater', [target, floatScalar(graph, 0.5)])]))
      }
      const predicted = op('ArgMax', [prediction], { axis: attr.int(-1), keepdims: attr.int(0) })
      const expected = sparse ? target : op('ArgMax', [target], { axis: attr.int(-1), keepdims: attr.int(0) })
      return mean(op('Equal', [predicted, expected]))
    }
    case 'top_k_accuracy': {
      const [, indices] = graph.node('TopK', [prediction, int64Vector(graph, [metric.k])], { outputs: 2, attributes: { axis: attr.int(-1) } })
      const expected = sparse ? target : op('ArgMax', [target], { axis: attr.int(-1), keepdims: attr.int(0) })
      const hits = op('Cast', [op('Equal', [indices!, op('Unsqueeze', [expected, int64Vector(graph, [-1])])])], { to: attr.int(1) })
      return op('ReduceMean', [op('ReduceMax', [hits], { axes: attr.ints([-1]), keepdims: attr.int(0) })], { keepdims: attr.int(0) })
    }
    case 'mean_squared_error': {
      const difference = op('Sub', [prediction, target])
      return op('ReduceMean', [op('Mul', [difference, difference])], { keepdims: attr.int(0) })
    }
    case 'mean_absolute_error':
      return op('ReduceMean', [op('Abs', [op('Sub', [prediction, target])])], { keepdims: attr.int(0) })
  }
}

/**
 * Whether the metric's batch value is the fraction of samples that are right (accuracy and
 * top-k over [batch, classes] predictions): then mean × batch size is a whole count, which
 * float32 means miss by ~1e-5 (8,700 right of 10,000 read as 0.86999…), so sums round it.
 */
export function isSampleFraction(metric: MetricConfig, loss: LossConfig, outputShape: readonly number[]): boolean {
  if (outputShape.length !== 1) return false
  return metric.name === 'top_k_accuracy' || (metric.name === 'accuracy' && loss.name !== 'binary_crossentropy')
}
