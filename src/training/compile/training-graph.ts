/**
 * @module training/compile/training-graph
 * Compiles a model's forward graph, its loss, the reverse-mode gradients (src/autodiff) and
 * the optimizer update into ONE ONNX model that runs M training steps per ORT call inside a
 * Loop: parameters, optimizer slots and layer state (batch-norm moving statistics) are
 * loop-carried, so they stay inside ORT between the steps of a call. Passing them in and out
 * costs 40-65% of a batch-32 step when every step is its own call.
 *
 * Inputs: the whole training set, x [N, ...sample] and y [N] (int32 class indices) or
 * [N, ...] (float targets), which onnxruntime-node reads in place; batches [M, B] (int32 row
 * numbers of each step's samples), learning_rates [M], step (FP32, the 1-based number of the
 * first step), then every parameter, slot and state value. Each step gathers its B rows
 * inside the graph. Copying a call's rows into a JavaScript buffer instead took 2.8 ms of a
 * 128-step seed-MLP call (~44 ms); gathered here, the rows cost part of that back (they come
 * from the whole set rather than a buffer just written), and a call is 2-3 % faster.
 * Outputs: the same parameters, slots and state after M steps, the next step number, and
 * per-step losses [M] and metrics [M] (batch means).
 */
import type { Datatype } from '../../core/datatypes.ts'
import { appendBackward } from '../../autodiff/backward.ts'
import { GraphBuilder, attr } from '../../onnx/onnx-builder.ts'
import { OnnxElementType } from '../../onnx/onnx-proto.ts'
import { emitClipByGlobalNorm } from './gradient-clipping.ts'
import { floatScalar } from './graph-constants.ts'
import { emitLoss, type LossConfig } from './losses.ts'
import { emitMetric, type MetricConfig } from './metrics.ts'
import { emitOptimizerUpdate, optimizerSlots, type OptimizerConfig } from './optimizers.ts'

/** A value the training graph carries from step to step. */
export interface CarriedValue {
  readonly name: string
  readonly shape: readonly number[]
}

/** What a model's forward pass (train mode) emitted into the step graph. */
export interface ForwardEmission {
  /** The model output, e.g. class probabilities. */
  readonly prediction: string
  /** The pre-activation output when the model ends in softmax / sigmoid: losses use it for numerical stability. */
  readonly logits?: string
  /** Trainable parameters: graph inputs the emitter declared (FP32). */
  readonly parameters: readonly CarriedValue[]
  /** Non-trainable state (e.g. moving statistics): each input with the value it becomes after the step. */
  readonly state: readonly (CarriedValue & { readonly next: string })[]
}

/**
 * Emits the model's forward pass into `graph`, reading the batch from `x`, and declares
 * parameters and state as graph inputs (in any order: the compiler reorders them).
 */
export type ForwardEmitter = (graph: GraphBuilder, x: string) => ForwardEmission

export interface TrainingGraphOptions {
  readonly sampleShape: readonly number[]
  readonly inputDatatype?: Datatype
  /** 'sparse': int64 class indices; 'dense': float targets shaped like the prediction (sampleless shape given). */
  readonly target: { readonly kind: 'sparse'; readonly classes: number } | { readonly kind: 'dense'; readonly shape: readonly number[]; readonly classes: number }
  readonly loss: LossConfig
  readonly metrics: readonly MetricConfig[]
  readonly optimizer: OptimizerConfig
  readonly clipNorm?: number
}

export interface TrainingGraph {
  readonly bytes: Uint8Array
  /** What y holds: int32 class indices (sparse) or float targets (dense). */
  readonly targets: 'sparse' | 'dense'
  readonly parameters: readonly CarriedValue[]
  /** Optimizer slots, `${parameter}/${slot}`, in the order they are fed. */
  readonly slots: readonly CarriedValue[]
  readonly state: readonly CarriedValue[]
  /** Output names, by role. */
  readonly outputs: {
    readonly parameters: readonly string[]
    readonly slots: readonly string[]
    readonly state: readonly string[]
    readonly step: string
    readonly losses: string
    readonly metrics: readonly string[]
  }
}

const BODY = 'step/'
/** Prefix of the outer graph's inputs for carried values: feed parameter `p` as `${FEED}p`. */
export const FEED = 'carried/'

export function compileTrainingGraph(emitForward: ForwardEmitter, options: TrainingGraphOptions): TrainingGraph {
  const body = new GraphBuilder('training_step')
  body.input(`${BODY}iteration`, 'INT64', [])
  body.input(`${BODY}condition`, 'BOOL', [])
  const gather = (from: string, indices: string) => body.node('Gather', [from, indices], { attributes: { axis: attr.int(0) } })[0]!
  const rows = gather('batches', `${BODY}iteration`)
  const x = gather('x', rows)
  const targets = gather('y', rows)
  // The losses compare int64 class indices; the int32 ones of the dataset are cast per batch.
  const y = options.target.kind === 'sparse' ? body.node('Cast', [targets], { attributes: { to: attr.int(OnnxElementType.INT64) } })[0]! : targets
  const learningRate = gather('learning_rates', `${BODY}iteration`)
  // x, y, batches and learning_rates live in the outer graph; tell the body's passes what their slices are.
  body.valueInfo(rows, 'INT32', [-1])
  body.valueInfo(x, options.inputDatatype ?? 'FP32', [-1, ...options.sampleShape])
  if (options.target.kind === 'sparse') {
    body.valueInfo(targets, 'INT32', [-1])
    body.valueInfo(y, 'INT64', [-1])
  } else body.valueInfo(y, 'FP32', [-1, ...options.target.shape])
  body.valueInfo(learningRate, 'FP32', [])
  const forward = emitForward(body, x)
  const slotNames = optimizerSlots(options.optimizer)
  const slots = forward.parameters.flatMap((parameter) => slotNames.map((slot) => ({ name: `${parameter.name}/${slot}`, shape: parameter.shape })))
  for (const slot of slots) body.input(`${BODY}${slot.name}`, 'FP32', slot.shape)
  body.input(`${BODY}step`, 'FP32', [])
  body.orderInputs([
    `${BODY}iteration`,
    `${BODY}condition`,
    ...forward.parameters.map((parameter) => parameter.name),
    ...slots.map((slot) => `${BODY}${slot.name}`),
    ...forward.state.map((state) => state.name),
    `${BODY}step`,
  ])

  const useLogits = forward.logits !== undefined && !options.loss.fromLogits
  const lossInput = useLogits ? forward.logits! : forward.prediction
  const loss = emitLoss(body, useLogits ? { ...options.loss, fromLogits: true } : options.loss, { prediction: lossInput, target: y, classes: options.target.classes })
  const metrics = options.metrics.map((metric) => emitMetric(body, metric, options.loss, forward.prediction, y))

  const gradients = appendBackward(body, loss, forward.parameters.map((parameter) => parameter.name))
  let gradientList = forward.parameters.map((parameter) => gradients.get(parameter.name)!)
  if (options.clipNorm !== undefined) gradientList = emitClipByGlobalNorm(body, gradientList, options.clipNorm)

  const bodyOutputs: { name: string; datatype: Datatype; shape: readonly number[] }[] = [{ name: `${BODY}condition_out`, datatype: 'BOOL', shape: [] }]
  body.node('Identity', [`${BODY}condition`], { outputs: [`${BODY}condition_out`] })
  const nextParameters: string[] = []
  const nextSlots: string[] = []
  forward.parameters.forEach((parameter, index) => {
    const update = emitOptimizerUpdate(body, options.optimizer, {
      param: parameter.name,
      grad: gradientList[index]!,
      slots: slotNames.map((slot) => `${BODY}${parameter.name}/${slot}`),
      learningRate,
      step: `${BODY}step`,
    })
    nextParameters.push(update.param)
    nextSlots.push(...update.slots)
  })
  const carried = [
    ...forward.parameters.map((parameter, index) => ({ value: nextParameters[index]!, shape: parameter.shape })),
    ...slots.map((slot, index) => ({ value: nextSlots[index]!, shape: slot.shape })),
    ...forward.state.map((state) => ({ value: state.next, shape: state.shape })),
  ]
  // A body output may name the value itself: an Identity would copy it (ORT does not alias a
  // subgraph's outputs), which costs ~5% of a seed-MLP step. Body inputs passed through and
  // values carried twice still go through an Identity, as a value names one output only.
  const bodyInputs = new Set(body.inputs.map((input) => input.name))
  const named = new Set<string>()
  carried.forEach(({ value, shape }, index) => {
    let name = value
    if (bodyInputs.has(value) || named.has(value)) {
      name = `${BODY}carried_out_${index}`
      body.node('Identity', [value], { outputs: [name] })
    }
    named.add(name)
    bodyOutputs.push({ name, datatype: 'FP32', shape })
  })
  const [nextStep] = body.node('Add', [`${BODY}step`, floatScalar(body, 1)])
  body.node('Identity', [nextStep!], { outputs: [`${BODY}step_out`] })
  bodyOutputs.push({ name: `${BODY}step_out`, datatype: 'FP32', shape: [] })
  for (const [index, value] of [loss, ...metrics].entries()) {
    const name = `${BODY}scan_out_${index}`
    body.node('Identity', [value], { outputs: [name] })
    bodyOutputs.push({ name, datatype: 'FP32', shape: [] })
  }
  for (const output of bodyOutputs) body.output(output.name, output.datatype, output.shape)

  return assembleOuterGraph(body, forward, slots, metrics.length, options)
}

function assembleOuterGraph(body: GraphBuilder, forward: ForwardEmission, slots: readonly CarriedValue[], metricCount: number, options: TrainingGraphOptions): TrainingGraph {
  const graph = new GraphBuilder('training')
  graph.input('x', options.inputDatatype ?? 'FP32', [-1, ...options.sampleShape])
  if (options.target.kind === 'sparse') graph.input('y', 'INT32', [-1])
  else graph.input('y', 'FP32', [-1, ...options.target.shape])
  graph.input('batches', 'INT32', [-1, -1])
  graph.input('learning_rates', 'FP32', [-1])
  graph.input('step', 'FP32', [])
  // Outer names differ from the body's: a subgraph must not shadow names of the graph around it.
  const carried = [...forward.parameters, ...slots, ...forward.state].map((value) => ({ ...value, name: `${FEED}${value.name}` }))
  for (const value of carried) graph.input(value.name, 'FP32', value.shape)
  const [steps] = graph.node('Shape', ['learning_rates'])
  const [tripCount] = graph.node('Squeeze', [steps!])
  graph.initializer('loop_condition', { datatype: 'BOOL', shape: [], data: new Uint8Array([1]) })
  const carriedOut = carried.map((value) => `${value.name.slice(FEED.length)}__next`)
  const scanOut = ['losses', ...Array.from({ length: metricCount }, (_, index) => `metric_${index}`)]
  graph.node('Loop', [tripCount!, 'loop_condition', ...carried.map((value) => value.name), 'step'], {
    outputs: [...carriedOut, 'step__next', ...scanOut],
    attributes: { body: attr.graph(body) },
  })
  carried.forEach((value, index) => graph.output(carriedOut[index]!, 'FP32', value.shape))
  graph.output('step__next', 'FP32', [])
  for (const name of scanOut) graph.output(name, 'FP32', [-1])
  const parameterCount = forward.parameters.length
  return {
    bytes: graph.toBytes(),
    targets: options.target.kind,
    parameters: forward.parameters,
    slots,
    state: forward.state.map(({ name, shape }) => ({ name, shape })),
    outputs: {
      parameters: carriedOut.slice(0, parameterCount),
      slots: carriedOut.slice(parameterCount, parameterCount + slots.length),
      state: carriedOut.slice(parameterCount + slots.length),
      step: 'step__next',
      losses: 'losses',
      metrics: scanOut.slice(1),
    },
  }
}
