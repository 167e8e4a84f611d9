/**
 * @module nn/model-spec-writer
 * A model's topology as Keras' model.to_json() writes it (the Keras 2 / TF.js layers-model
 * form: `batch_input_shape`, `inbound_nodes` as [layer, node, tensor, kwargs] lists), so
 * the spec can be stored, posted back, or read by Keras and TF.js.
 */
import type { Topology } from './functional.ts'
import type { LayerCall } from './layer.ts'

/** One layer entry: `name` and `inbound_nodes` only in functional specs. */
export interface LayerSpec {
  readonly class_name: string
  readonly config: Readonly<Record<string, unknown>>
  readonly name?: string
  readonly inbound_nodes?: readonly (readonly (readonly [string, number, number, Readonly<Record<string, never>>])[])[]
}

/** [layer name, node index, tensor index]. */
export type TensorRef = readonly [string, number, number]

export interface SequentialSpec {
  readonly class_name: 'Sequential'
  readonly config: { readonly name: string; readonly layers: readonly LayerSpec[] }
}

export interface FunctionalSpec {
  readonly class_name: 'Functional'
  readonly config: {
    readonly name: string
    readonly layers: readonly LayerSpec[]
    readonly input_layers: readonly TensorRef[]
    readonly output_layers: readonly TensorRef[]
  }
}

/** A model's JSON spec (Keras' model.to_json()). */
export type ModelSpec = SequentialSpec | FunctionalSpec

export function writeModelSpec(kind: 'Sequential' | 'Functional', name: string, topology: Topology): ModelSpec {
  if (kind === 'Sequential') {
    return { class_name: 'Sequential', config: { name, layers: topology.layers.map((layer) => ({ class_name: layer.className, config: layer.toConfig() })) } }
  }
  // Node indices count this model's calls of a layer only, as Keras' get_config does.
  const callsOf = new Map(topology.layers.map((layer) => [layer, topology.calls.filter((call) => call.layer === layer)]))
  const nodeIndex = (call: LayerCall) => callsOf.get(call.layer)!.indexOf(call)
  const ref = (call: LayerCall): TensorRef => [call.layer.name, nodeIndex(call), 0]
  return {
    class_name: 'Functional',
    config: {
      name,
      layers: topology.layers.map((layer) => ({
        class_name: layer.className,
        config: layer.toConfig(),
        name: layer.name,
        inbound_nodes: callsOf
          .get(layer)!
          .filter((call) => call.inputs.length > 0)
          .map((call) => call.inputs.map((tensor) => [...ref(tensor.call), {}] as const)),
      })),
      input_layers: topology.inputs.map((tensor) => ref(tensor.call)),
      output_layers: topology.outputs.map((tensor) => ref(tensor.call)),
    },
  }
}
