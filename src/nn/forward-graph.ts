/**
 * @module nn/forward-graph
 * Writes a model's forward pass into a GraphBuilder — the contract between nn/ and the
 * trainer. Weights appear under their own names ('dense/kernel') as graph inputs or as
 * initializers, as the caller chooses, separately for trainable parameters and for state
 * (non-trainable weights: moving statistics, frozen layers). In 'train' mode every
 * BatchNormalization reports a `stateUpdates` entry — the value holding the new moving
 * statistic, to be fed back as `value` next step — and every Dropout gets a distinct seed
 * derived from `dropoutSeed`. Non-weight constants are Constant nodes, never initializers,
 * so initializers are exactly the weights. Graph outputs are left to the caller.
 */
import { attr, type Attribute, type GraphBuilder } from '../onnx/onnx-builder.ts'
import { isFusableOutputActivation, type ActivationName } from './activations.ts'
import type { EmitContext, GraphMode } from './emit-context.ts'
import { InputLayer } from './layers/core-layers.ts'
import type { Layer, LayerCall, SymbolicTensor } from './layer.ts'
import type { Model } from './model.ts'
import { deriveSeed } from './random.ts'
import { datatypeOf, withBatch } from './shape.ts'

export interface EmitOptions {
  readonly mode: GraphMode
  /** Trainable weights as graph inputs (training graph) or initializers (exported model). */
  readonly parameters: 'inputs' | 'initializers'
  /** Non-trainable weights; default: like `parameters`. */
  readonly state?: 'inputs' | 'initializers'
  /** Graph input names for the model inputs (default: the input layers' names). */
  readonly inputNames?: readonly string[]
  /** Existing graph values to use as the model inputs instead of adding graph inputs. */
  readonly bindInputs?: readonly string[]
  /** Names for the output values (added as Identity nodes); default: whatever the last node produced. */
  readonly outputNames?: readonly string[]
  /** 'omit': leave out a final softmax/sigmoid of each output so the loss can fuse it (see `omittedActivations`). */
  readonly outputActivation?: 'apply' | 'omit'
  /** Base seed of the Dropout nodes (default: the model's seed). */
  readonly dropoutSeed?: number
}

/** A weight as it appears in the graph. */
export interface WeightBinding {
  /** The model's weight name (Model.getWeight). */
  readonly weight: string
  /** Graph input or initializer name (equal to `weight` unless that name was taken). */
  readonly value: string
  readonly shape: readonly number[]
  readonly trainable: boolean
}

/** In 'train' mode: `update` holds the new value of state weight `weight`, fed as `value`. */
export interface StateUpdate {
  readonly weight: string
  readonly value: string
  readonly update: string
}

export interface ForwardGraph {
  readonly inputs: readonly string[]
  readonly outputs: readonly string[]
  /** Output shapes, batch (-1) first. */
  readonly outputShapes: readonly (readonly number[])[]
  /** Per output, the final activation left out under outputActivation 'omit'. */
  readonly omittedActivations: readonly (ActivationName | undefined)[]
  readonly parameters: readonly WeightBinding[]
  readonly parameterNames: readonly string[]
  readonly state: readonly WeightBinding[]
  readonly stateUpdates: readonly StateUpdate[]
  /** Seeds given to the Dropout nodes, by layer name. */
  readonly dropoutSeeds: readonly { readonly layer: string; readonly seed: number }[]
}

export function emitForward(model: Model, graph: GraphBuilder, options: EmitOptions): ForwardGraph {
  const values = new Map<SymbolicTensor, string>()
  const inputs = model.inputs.map((tensor, index) => {
    const bound = options.bindInputs?.[index]
    if (bound !== undefined) return bound
    const name = graph.uniqueName(options.inputNames?.[index] ?? tensor.call.layer.name)
    return graph.input(name, datatypeOf(tensor.dtype), withBatch(tensor.shape))
  })
  model.inputs.forEach((tensor, index) => values.set(tensor, inputs[index]!))

  const bindings = new Map<string, WeightBinding>()
  const statePlacement = options.state ?? options.parameters
  for (const weight of model.weights) {
    const value = graph.uniqueName(weight.name)
    const shape = weight.spec.shape
    if ((weight.trainable ? options.parameters : statePlacement) === 'inputs') graph.input(value, 'FP32', shape)
    else graph.initializer(value, { datatype: 'FP32', shape, data: model.getWeight(weight.name) })
    bindings.set(weight.name, { weight: weight.name, value, shape, trainable: weight.trainable })
  }

  const consumers = new Map<SymbolicTensor, number>()
  for (const call of model.topology.calls) for (const tensor of call.inputs) consumers.set(tensor, (consumers.get(tensor) ?? 0) + 1)
  const omitted = new Map<SymbolicTensor, ActivationName>()
  const stateUpdates: StateUpdate[] = []
  const dropoutSeeds: { layer: string; seed: number }[] = []
  const baseSeed = options.dropoutSeed ?? model.seed

  for (const call of model.topology.calls) {
    if (call.layer instanceof InputLayer) continue
    const omit = options.outputActivation === 'omit' && model.outputs.includes(call.output) && !consumers.has(call.output)
    const ctx = new LayerEmitContext(graph, options.mode, call, omit, bindings, {
      onState: (update) => stateUpdates.push(update),
      onDropout: () => {
        const seed = deriveSeed(baseSeed, `${call.layer.name}#${dropoutSeeds.length}`) & 0x7fffffff
        dropoutSeeds.push({ layer: call.layer.name, seed })
        return seed
      },
      onOmit: (activation) => omitted.set(call.output, activation),
    })
    const output = call.layer.emit(ctx, call.inputs.map((tensor) => values.get(tensor)!), call.inputs)
    if (!graph.typeOf(output)) graph.valueInfo(output, datatypeOf(call.output.dtype), withBatch(call.output.shape))
    values.set(call.output, output)
  }

  const outputs = model.outputs.map((tensor, index) => {
    const name = options.outputNames?.[index]
    const value = values.get(tensor)!
    return name === undefined ? value : graph.node('Identity', [value], { outputs: [name] })[0]!
  })
  const all = [...bindings.values()]
  const parameters = all.filter((binding) => binding.trainable)
  return {
    inputs,
    outputs,
    outputShapes: model.outputs.map((tensor) => withBatch(tensor.shape)),
    omittedActivations: model.outputs.map((tensor) => omitted.get(tensor)),
    parameters,
    parameterNames: parameters.map((binding) => binding.value),
    state: all.filter((binding) => !binding.trainable),
    stateUpdates,
    dropoutSeeds,
  }
}

interface ContextHooks {
  onState(update: StateUpdate): void
  onDropout(): number
  onOmit(activation: ActivationName): void
}

class LayerEmitContext implements EmitContext {
  readonly #layer: Layer

  constructor(
    readonly graph: GraphBuilder,
    readonly mode: GraphMode,
    call: LayerCall,
    readonly omitOutputActivation: boolean,
    private readonly bindings: ReadonlyMap<string, WeightBinding>,
    private readonly hooks: ContextHooks,
  ) {
    this.#layer = call.layer
  }

  node(opType: string, inputs: readonly string[], attributes: Record<string, Attribute> = {}, outputs = 1): string[] {
    const names = Array.from({ length: outputs }, (_, index) => this.graph.uniqueName(`${this.#layer.name}/${opType}${index === 0 ? '' : `:${index}`}`))
    return this.graph.node(opType, inputs, { outputs: names, attributes })
  }

  op(opType: string, inputs: readonly string[], attributes?: Record<string, Attribute>): string {
    return this.node(opType, inputs, attributes)[0]!
  }

  constant(values: readonly number[], shape: readonly number[], datatype: 'FP32' | 'INT64' | 'BOOL' = 'FP32'): string {
    const data = datatype === 'FP32' ? Float32Array.from(values) : datatype === 'INT64' ? BigInt64Array.from(values, BigInt) : Uint8Array.from(values)
    const name = this.graph.uniqueName(`${this.#layer.name}/Constant`)
    return this.graph.node('Constant', [], { outputs: [name], attributes: { value: attr.tensor({ datatype, shape, data }) } })[0]!
  }

  weight(local: string): string {
    const binding = this.bindings.get(`${this.#layer.name}/${local}`)
    if (!binding) throw new Error(`${this.#layer.label} has no weight '${local}'`)
    return binding.value
  }

  updateState(local: string, value: string): void {
    const binding = this.bindings.get(`${this.#layer.name}/${local}`)!
    this.graph.valueInfo(value, 'FP32', binding.shape)
    this.hooks.onState({ weight: binding.weight, value: binding.value, update: value })
  }

  dropoutSeed(): number {
    return this.hooks.onDropout()
  }

  omitActivation(activation: string): void {
    if (isFusableOutputActivation(activation as ActivationName)) this.hooks.onOmit(activation as ActivationName)
  }
}
