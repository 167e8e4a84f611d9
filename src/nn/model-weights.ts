/**
 * @module nn/model-weights
 * The weights a topology needs, named as Keras names them ('dense/kernel',
 * 'batch_normalization/moving_mean'), and their deterministic initial values. A shared
 * layer has one set of weights for all its calls.
 */
import { InvalidArgumentError } from '../core/errors.ts'
import type { Topology } from './functional.ts'
import { generateWeights } from './initializers.ts'
import type { Layer, WeightSpec } from './layer.ts'
import { deriveSeed } from './random.ts'

/** One weight of a model. */
export interface ModelWeight {
  /** `${layer}/${local}`: the weight's name in the model and its value name in emitted graphs. */
  readonly name: string
  readonly layer: Layer
  readonly spec: WeightSpec
  /** The spec's trainability and the layer's (a frozen layer's weights are not trained). */
  readonly trainable: boolean
  readonly size: number
}

/** Weights of every layer of the topology, in layer order then Keras' weight order. */
export function collectWeights(topology: Topology): ModelWeight[] {
  const weights: ModelWeight[] = []
  for (const layer of topology.layers) {
    const calls = topology.calls.filter((call) => call.layer === layer)
    const specs = layer.weightSpecs(calls[0]!.inputs)
    for (const call of calls.slice(1)) {
      const other = layer.weightSpecs(call.inputs)
      if (JSON.stringify(other.map((spec) => spec.shape)) !== JSON.stringify(specs.map((spec) => spec.shape))) {
        throw new InvalidArgumentError(`${layer.label} is shared between inputs that need weights of different shapes`)
      }
    }
    for (const spec of specs) {
      weights.push({
        name: `${layer.name}/${spec.name}`,
        layer,
        spec,
        trainable: spec.trainable && layer.trainable,
        size: spec.shape.reduce((product, dim) => product * dim, 1),
      })
    }
  }
  return weights
}

/** Initial values: each weight from its initializer's own seed, or from `seed` and its name. */
export function initialValues(weight: ModelWeight, seed: number): Float32Array {
  return generateWeights(weight.spec.initializer, weight.size, weight.spec.kerasShape, deriveSeed(seed, weight.name))
}
