/**
 * @module nn/model
 * Model: a layer topology (Sequential or Functional) plus the values of its weights, which
 * it owns and initialises deterministically from a seed. Graph emission (nn/forward-graph),
 * export, and later compile/fit/evaluate/predict work on a Model; they read and write its
 * weights by name ('dense/kernel') through getWeight/setWeight.
 */
import { InvalidArgumentError } from '../core/errors.ts'
import { buildTopology, type Topology } from './functional.ts'
import { fromKerasLayout, toKerasLayout } from './keras-weights.ts'
import { InputLayer } from './layers/core-layers.ts'
import type { Layer, SymbolicTensor } from './layer.ts'
import { writeModelSpec, type ModelSpec } from './model-spec-writer.ts'
import { collectWeights, initialValues, type ModelWeight } from './model-weights.ts'
import { formatSummary, summarizeModel, type ModelSummary } from './summary.ts'

export interface ModelOptions {
  readonly name?: string
  /** Seed of the weight initialisation (default 1): same seed, same weights. */
  readonly seed?: number
}

/** A weight as a shape and values (Keras layout in get/setKerasWeights). */
export interface WeightValue {
  readonly shape: readonly number[]
  readonly data: Float32Array
}

export class Model {
  readonly seed: number
  readonly weights: readonly ModelWeight[]
  readonly #values = new Map<string, Float32Array>()
  readonly #byName: ReadonlyMap<string, ModelWeight>

  constructor(
    readonly kind: 'Sequential' | 'Functional',
    readonly name: string,
    readonly topology: Topology,
    options: { readonly seed?: number } = {},
  ) {
    this.seed = options.seed ?? 1
    this.weights = collectWeights(topology)
    this.#byName = new Map(this.weights.map((weight) => [weight.name, weight]))
    for (const weight of this.weights) this.#values.set(weight.name, initialValues(weight, this.seed))
  }

  get inputs(): readonly SymbolicTensor[] {
    return this.topology.inputs
  }

  get outputs(): readonly SymbolicTensor[] {
    return this.topology.outputs
  }

  /** Layers in order, input layers included. */
  get layers(): readonly Layer[] {
    return this.topology.layers
  }

  /** The layer called `name`. */
  getLayer(name: string): Layer {
    const layer = this.layers.find((candidate) => candidate.name === name)
    if (!layer) throw new InvalidArgumentError(`model '${this.name}' has no layer '${name}'`)
    return layer
  }

  /** The stored values of a weight (ONNX layout; read-only by contract — use setWeight). */
  getWeight(name: string): Float32Array {
    this.#weightInfo(name)
    return this.#values.get(name)!
  }

  /** Replaces a weight's values (ONNX layout), e.g. with trained ones. */
  setWeight(name: string, data: Float32Array): void {
    const weight = this.#weightInfo(name)
    if (data.length !== weight.size) throw new InvalidArgumentError(`weight '${name}' has ${weight.size} values, got ${data.length}`)
    this.#values.set(name, data)
  }

  /** All weights in Keras' layout (kernels [kh, kw, in, out]), keyed by name. */
  getKerasWeights(): Map<string, WeightValue> {
    return new Map(this.weights.map((weight) => [weight.name, { shape: weight.spec.kerasShape, data: toKerasLayout(weight.spec, this.#values.get(weight.name)!) }]))
  }

  /** Sets weights given in Keras' layout (e.g. from a TF.js weights manifest); names may carry Keras' ':0'. */
  setKerasWeights(values: ReadonlyMap<string, WeightValue> | Readonly<Record<string, WeightValue>>): void {
    const entries = values instanceof Map ? [...values.entries()] : Object.entries(values)
    for (const [rawName, value] of entries) {
      const name = rawName.replace(/:0$/, '')
      const weight = this.#weightInfo(name)
      if (JSON.stringify([...value.shape]) !== JSON.stringify(weight.spec.kerasShape)) {
        throw new InvalidArgumentError(`weight '${name}' has Keras shape ${JSON.stringify(weight.spec.kerasShape)}, got ${JSON.stringify(value.shape)}`)
      }
      this.setWeight(name, fromKerasLayout(weight.spec, value.data))
    }
  }

  /** Parameter counts (Keras' count_params). */
  countParams(): { total: number; trainable: number; nonTrainable: number } {
    const { totalParams, trainableParams, nonTrainableParams } = this.summaryData()
    return { total: totalParams, trainable: trainableParams, nonTrainable: nonTrainableParams }
  }

  /** Keras' summary as data. */
  summaryData(): ModelSummary {
    return summarizeModel(this.name, this.kind, this.topology, this.weights)
  }

  /** Keras' summary as a text table. */
  summary(): string {
    return formatSummary(this.summaryData())
  }

  /** The Keras-style JSON spec (readable back by modelFromSpec, Keras and TF.js). */
  toSpec(): ModelSpec {
    return writeModelSpec(this.kind, this.name, this.topology)
  }

  toJSON(): ModelSpec {
    return this.toSpec()
  }

  #weightInfo(name: string): ModelWeight {
    const weight = this.#byName.get(name)
    if (!weight) throw new InvalidArgumentError(`model '${this.name}' has no weight '${name}'`)
    return weight
  }
}

/** A plain stack of layers (Keras' Sequential): an InputLayer first, or a first layer with `inputShape`. */
export function sequential(layers: readonly Layer[], options: ModelOptions = {}): Model {
  const [first] = layers
  if (!first) throw new InvalidArgumentError('a Sequential model needs at least one layer')
  let start: InputLayer
  let rest: readonly Layer[]
  if (first instanceof InputLayer) {
    start = first
    rest = layers.slice(1)
  } else {
    if (!first.inputShape) throw new InvalidArgumentError(`${first.label}: the first layer of a Sequential model needs 'inputShape' (or start with an input layer)`)
    start = new InputLayer({ trainable: true, inputShape: first.inputShape, ...(first.inputDtype ? { inputDtype: first.inputDtype } : {}) })
    rest = layers
  }
  let tensor = start.output
  for (const layer of rest) {
    if (layer instanceof InputLayer || layer.takesList) throw new InvalidArgumentError(`${layer.label} cannot be used in a Sequential model`)
    tensor = layer.apply(tensor)
  }
  return new Model('Sequential', options.name ?? 'sequential', buildTopology([start.output], [tensor]), options)
}

/** A functional model (Keras' `keras.Model(inputs, outputs)`). */
export function model(options: ModelOptions & { readonly inputs: SymbolicTensor | readonly SymbolicTensor[]; readonly outputs: SymbolicTensor | readonly SymbolicTensor[] }): Model {
  const list = (value: SymbolicTensor | readonly SymbolicTensor[]) => (Array.isArray(value) ? [...value] : [value as SymbolicTensor])
  return new Model('Functional', options.name ?? 'model', buildTopology(list(options.inputs), list(options.outputs)), options)
}
