/**
 * @module training/trainer/compiled-model
 * Binds an nn Model to its training configuration: the training graph (M steps per call),
 * an evaluation graph (inference-mode forward, loss and metrics, weights fed as inputs so the
 * latest values need no re-export) and the target layout the losses expect.
 */
import { InvalidArgumentError } from '../../core/errors.ts'
import type { Model } from '../../nn/model.ts'
import { emitForward } from '../../nn/forward-graph.ts'
import { GraphBuilder, attr } from '../../onnx/onnx-builder.ts'
import { emitLoss, parseLoss, type LossConfig } from '../compile/losses.ts'
import { emitMetric, parseMetric, type MetricConfig } from '../compile/metrics.ts'
import { parseOptimizer, type OptimizerConfig } from '../compile/optimizers.ts'
import { compileTrainingGraph, type ForwardEmission, type TrainingGraph } from '../compile/training-graph.ts'
import { parseLearningRateSchedule, type LearningRateSchedule } from '../compile/learning-rate-schedules.ts'

/** What `compile()` takes, Keras-style. */
export interface CompileOptions {
  readonly optimizer: unknown
  readonly loss: unknown
  readonly metrics?: readonly unknown[]
  /** Clip gradients by their global norm. */
  readonly clipNorm?: number
  readonly learningRateSchedule?: unknown
}

export interface TrainingConfig {
  readonly optimizer: OptimizerConfig
  readonly loss: LossConfig
  readonly metrics: readonly MetricConfig[]
  readonly metricNames: readonly string[]
  readonly clipNorm?: number
  readonly schedule: LearningRateSchedule
}

export function parseCompileOptions(options: CompileOptions): TrainingConfig {
  const metrics = (options.metrics ?? []).map(parseMetric)
  if (options.clipNorm !== undefined && !(options.clipNorm > 0)) throw new InvalidArgumentError('clipNorm must be a positive number')
  return {
    optimizer: parseOptimizer(options.optimizer),
    loss: parseLoss(options.loss),
    metrics,
    metricNames: metrics.map((metric) => (metric.name === 'top_k_accuracy' ? `top_${metric.k}_accuracy` : metric.name === 'mean_squared_error' ? 'mse' : metric.name === 'mean_absolute_error' ? 'mae' : 'accuracy')),
    ...(options.clipNorm !== undefined ? { clipNorm: options.clipNorm } : {}),
    schedule: parseLearningRateSchedule(options.learningRateSchedule),
  }
}

/** The model's single input and output, as the trainer needs them. */
export interface ModelIo {
  readonly sampleShape: readonly number[]
  readonly outputShape: readonly number[]
  readonly classes: number
  readonly targets: 'sparse' | 'dense'
}

export function describeModelIo(model: Model, loss: LossConfig): ModelIo {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new InvalidArgumentError(`fit() trains models with one input and one output; '${model.name}' has ${model.inputs.length} and ${model.outputs.length}`)
  }
  const sampleShape = model.inputs[0]!.shape.map((dim) => dim ?? -1)
  const outputShape = model.outputs[0]!.shape.map((dim) => dim ?? -1)
  if (sampleShape.includes(-1)) throw new InvalidArgumentError(`the input shape [${sampleShape.join(', ')}] must be fully known to train`)
  const classes = outputShape.at(-1) ?? 1
  if (loss.name === 'sparse_categorical_crossentropy' && outputShape.length !== 1) {
    throw new InvalidArgumentError(`sparse_categorical_crossentropy needs an output of shape [classes]; the model's output is [${outputShape.join(', ')}] (add a Flatten before the last Dense?)`)
  }
  return { sampleShape, outputShape, classes, targets: loss.name === 'sparse_categorical_crossentropy' ? 'sparse' : 'dense' }
}

/** The training graph of a model under a configuration, and which model weight each carried value is. */
export function compileModelTraining(model: Model, config: TrainingConfig): { graph: TrainingGraph; weights: ReadonlyMap<string, string> } {
  const io = describeModelIo(model, config.loss)
  const weights = new Map<string, string>()
  const graph = compileTrainingGraph((builder, x) => emitModelForward(model, builder, x, weights), {
    sampleShape: io.sampleShape,
    target: io.targets === 'sparse' ? { kind: 'sparse', classes: io.classes } : { kind: 'dense', shape: io.outputShape, classes: io.classes },
    loss: config.loss,
    metrics: config.metrics,
    optimizer: config.optimizer,
    ...(config.clipNorm !== undefined ? { clipNorm: config.clipNorm } : {}),
  })
  return { graph, weights }
}

/** Train-mode forward for the training graph: the final softmax/sigmoid is kept apart so the loss can use the logits. */
function emitModelForward(model: Model, graph: GraphBuilder, x: string, weights: Map<string, string>): ForwardEmission {
  const forward = emitForward(model, graph, { mode: 'train', parameters: 'inputs', state: 'inputs', bindInputs: [x], outputActivation: 'omit' })
  for (const binding of [...forward.parameters, ...forward.state]) weights.set(binding.value, binding.weight)
  const raw = forward.outputs[0]!
  const omitted = forward.omittedActivations[0]
  const prediction = omitted === 'softmax' ? graph.node('Softmax', [raw], { attributes: { axis: attr.int(-1) } })[0]! : omitted === 'sigmoid' ? graph.node('Sigmoid', [raw])[0]! : raw
  const updates = new Map(forward.stateUpdates.map((update) => [update.value, update.update]))
  return {
    prediction,
    ...(omitted ? { logits: raw } : {}),
    parameters: forward.parameters.map((binding) => ({ name: binding.value, shape: binding.shape })),
    // Frozen weights without an update are carried unchanged.
    state: forward.state.map((binding) => ({ name: binding.value, shape: binding.shape, next: updates.get(binding.value) ?? binding.value })),
  }
}

export interface EvaluationGraph {
  readonly bytes: Uint8Array
  /** Weight inputs: graph value name → model weight name. */
  readonly weights: ReadonlyMap<string, string>
  readonly outputs: { readonly prediction: string; readonly loss: string; readonly metrics: readonly string[] }
}

/** Inference-mode forward with loss and metrics, weights fed as inputs. */
export function compileEvaluation(model: Model, config: TrainingConfig): EvaluationGraph {
  const io = describeModelIo(model, config.loss)
  const graph = new GraphBuilder('evaluation')
  const forward = emitForward(model, graph, { mode: 'inference', parameters: 'inputs', state: 'inputs', inputNames: ['x'], outputNames: ['prediction'] })
  if (io.targets === 'sparse') graph.input('y', 'INT64', [-1])
  else graph.input('y', 'FP32', [-1, ...io.outputShape])
  const loss = emitLoss(graph, config.loss, { prediction: 'prediction', target: 'y', classes: io.classes })
  graph.node('Identity', [loss], { outputs: ['loss'] })
  const metrics = config.metrics.map((metric, index) => graph.node('Identity', [emitMetric(graph, metric, config.loss, 'prediction', 'y')], { outputs: [`metric_${index}`] })[0]!)
  graph.output('prediction', 'FP32', forward.outputShapes[0]!)
  graph.output('loss', 'FP32', [])
  for (const metric of metrics) graph.output(metric, 'FP32', [])
  return {
    bytes: graph.toBytes(),
    weights: new Map([...forward.parameters, ...forward.state].map((binding) => [binding.value, binding.weight])),
    outputs: { prediction: 'prediction', loss: 'loss', metrics },
  }
}
