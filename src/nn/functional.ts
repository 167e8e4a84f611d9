/**
 * @module nn/functional
 * The functional API's vocabulary — `input()`, merge helpers (`add`, `concatenate`, ...) —
 * and the topology of a model: the layer calls between its inputs and outputs in
 * topological order, with every layer given a model-unique Keras-style name.
 */
import { InvalidArgumentError } from '../core/errors.ts'
import { toSnakeCase } from './config-reader.ts'
import { InputLayer } from './layers/core-layers.ts'
import { Concatenate, ElementwiseMerge, type ElementwiseMergeClass } from './layers/merge.ts'
import type { Layer, LayerCall, SymbolicTensor } from './layer.ts'
import type { DType } from './shape.ts'

export interface InputOptions {
  /** Per-example shape (batch excluded); null or -1 for a dimension known only at run time. */
  readonly shape: readonly (number | null)[]
  readonly name?: string
  readonly dtype?: DType
}

/** A model input (Keras' `keras.Input`). */
export function input(options: InputOptions): SymbolicTensor {
  const shape = options.shape.map((dim) => {
    if (dim === null || dim === -1) return -1
    if (!Number.isInteger(dim) || dim <= 0) throw new InvalidArgumentError(`input: 'shape' must be a list of positive integers (or null), got ${JSON.stringify(options.shape)}`)
    return dim
  })
  return new InputLayer({ ...(options.name ? { name: options.name } : {}), trainable: true, inputShape: shape, ...(options.dtype ? { inputDtype: options.dtype } : {}) }).output
}

export interface MergeOptions {
  readonly name?: string
}

function merge(className: ElementwiseMergeClass, tensors: readonly SymbolicTensor[], options: MergeOptions): SymbolicTensor {
  return new ElementwiseMerge(className, { ...(options.name ? { name: options.name } : {}), trainable: true }).apply(tensors)
}

/** Elementwise sum (Keras' `layers.add`). */
export const add = (tensors: readonly SymbolicTensor[], options: MergeOptions = {}) => merge('Add', tensors, options)
export const subtract = (tensors: readonly SymbolicTensor[], options: MergeOptions = {}) => merge('Subtract', tensors, options)
export const multiply = (tensors: readonly SymbolicTensor[], options: MergeOptions = {}) => merge('Multiply', tensors, options)
export const average = (tensors: readonly SymbolicTensor[], options: MergeOptions = {}) => merge('Average', tensors, options)
export const maximum = (tensors: readonly SymbolicTensor[], options: MergeOptions = {}) => merge('Maximum', tensors, options)
export const minimum = (tensors: readonly SymbolicTensor[], options: MergeOptions = {}) => merge('Minimum', tensors, options)

/** Concatenation along `axis` (batch counted; default -1). */
export function concatenate(tensors: readonly SymbolicTensor[], options: MergeOptions & { readonly axis?: number } = {}): SymbolicTensor {
  return new Concatenate(options.axis ?? -1, { ...(options.name ? { name: options.name } : {}), trainable: true }).apply(tensors)
}

/** The layer graph of a model. */
export interface Topology {
  readonly inputs: readonly SymbolicTensor[]
  readonly outputs: readonly SymbolicTensor[]
  /** Every call from the inputs to the outputs, producers before consumers; input calls first. */
  readonly calls: readonly LayerCall[]
  /** Each layer once, in the order of its first call. */
  readonly layers: readonly Layer[]
}

/** Collects the calls between `inputs` and `outputs`, checks the graph is connected, and names the layers. */
export function buildTopology(inputs: readonly SymbolicTensor[], outputs: readonly SymbolicTensor[]): Topology {
  if (inputs.length === 0 || outputs.length === 0) throw new InvalidArgumentError('a model needs at least one input and one output')
  for (const tensor of inputs) {
    if (!(tensor.call.layer instanceof InputLayer)) throw new InvalidArgumentError(`model inputs must come from input(), got the output of ${tensor.call.layer.label}`)
  }
  const inputCalls = new Set(inputs.map((tensor) => tensor.call))
  const visited = new Set<LayerCall>(inputCalls)
  const calls: LayerCall[] = [...inputCalls]
  const visit = (call: LayerCall): void => {
    if (visited.has(call)) return
    if (call.layer instanceof InputLayer) {
      throw new InvalidArgumentError(`graph disconnected: the outputs depend on input ${call.layer.label}, which is not among the model inputs`)
    }
    visited.add(call)
    for (const tensor of call.inputs) visit(tensor.call)
    calls.push(call)
  }
  for (const tensor of outputs) visit(tensor.call)
  const layers = [...new Set(calls.map((call) => call.layer))]
  nameLayers(layers)
  return { inputs, outputs, calls, layers }
}

/** Keras' automatic names, unique within the model: 'dense', 'dense_1', ... */
function nameLayers(layers: readonly Layer[]): void {
  const taken = new Set<string>()
  for (const layer of layers) {
    if (!layer.name) continue
    if (taken.has(layer.name)) throw new InvalidArgumentError(`two layers of the model are named '${layer.name}'; layer names must be unique`)
    taken.add(layer.name)
  }
  for (const layer of layers) {
    if (layer.name) continue
    const base = layer instanceof InputLayer ? 'input' : toSnakeCase(layer.className)
    let name = base
    for (let suffix = 1; taken.has(name); suffix++) name = `${base}_${suffix}`
    taken.add(name)
    layer.assignName(name)
  }
}
