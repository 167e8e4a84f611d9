/**
 * @module nn/model-spec
 * Reads a model's JSON spec — ours, Keras' model.to_json() (Keras 2 and 3 forms) or a
 * TF.js layers-model model.json (`modelTopology`, optionally wrapping `model_config`) — into
 * a Model. Validation is thorough: every error is an InvalidArgumentError naming the place
 * in the spec and what was expected, e.g. "layers[2] (Dense): 'units' must be a positive
 * integer, got -3".
 */
import { InvalidArgumentError } from '../core/errors.ts'
import { ConfigReader, describeValue, isConfigObject, type ConfigObject } from './config-reader.ts'
import { buildTopology } from './functional.ts'
import { InputLayer } from './layers/core-layers.ts'
import { LAYER_CLASSES, layerReaderOf } from './layers/layer-registry.ts'
import type { Layer, SymbolicTensor } from './layer.ts'
import { Model } from './model.ts'

export interface SpecOptions {
  /** Seed of the weight initialisation (default 1). */
  readonly seed?: number
}

/** A Model from its spec (an object or JSON text). */
export function modelFromSpec(spec: unknown, options: SpecOptions = {}): Model {
  let root = spec
  if (typeof root === 'string') {
    try {
      root = JSON.parse(root)
    } catch (error) {
      throw new InvalidArgumentError(`spec: not valid JSON (${(error as Error).message})`)
    }
  }
  if (isConfigObject(root) && isConfigObject(root.modelTopology)) root = root.modelTopology
  if (isConfigObject(root) && isConfigObject(root.model_config)) root = root.model_config
  if (!isConfigObject(root)) throw new InvalidArgumentError(`spec: must be an object with 'class_name' and 'config', got ${describeValue(root)}`)
  const className = root.class_name
  if (className === 'Sequential') return readSequential(root.config, options)
  if (className === 'Functional' || className === 'Model') return readFunctional(root.config, options)
  throw new InvalidArgumentError(`spec: 'class_name' must be 'Sequential' or 'Functional', got ${describeValue(className)}`)
}

/** Builds the layer of entry `index`; returns it with its reader's path. */
function readLayer(entry: unknown, index: number): { layer: Layer; path: string; entry: ConfigObject } {
  if (!isConfigObject(entry)) throw new InvalidArgumentError(`layers[${index}]: must be an object with 'class_name' and 'config', got ${describeValue(entry)}`)
  const className = entry.class_name
  if (typeof className !== 'string') throw new InvalidArgumentError(`layers[${index}]: 'class_name' must be a string, got ${describeValue(className)}`)
  const reader = layerReaderOf(className)
  if (!reader) throw new InvalidArgumentError(`layers[${index}]: unsupported layer class '${className}' (supported: ${LAYER_CLASSES.join(', ')})`)
  const path = `layers[${index}] (${className})`
  const config = entry.config ?? {}
  if (!isConfigObject(config)) throw new InvalidArgumentError(`${path}: 'config' must be an object, got ${describeValue(config)}`)
  return { layer: reader(new ConfigReader(path, config)), path, entry }
}

/** Runs `connect`, restating a layer's shape error at its place in the spec. */
function at<T>(path: string, layer: Layer, connect: () => T): T {
  try {
    return connect()
  } catch (error) {
    if (!(error instanceof InvalidArgumentError)) throw error
    const prefix = `${layer.label}: `
    throw new InvalidArgumentError(`${path}: ${error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message}`)
  }
}

function readSequential(rawConfig: unknown, options: SpecOptions): Model {
  // Old Keras and TF.js write the layer list as the whole config.
  const config = Array.isArray(rawConfig) ? { layers: rawConfig } : rawConfig
  if (!isConfigObject(config)) throw new InvalidArgumentError(`spec: 'config' must be an object, got ${describeValue(config)}`)
  const reader = new ConfigReader('spec config', config)
  const name = reader.optionalString('name') ?? 'sequential'
  const entries = reader.raw('layers')
  reader.accept('trainable')
  reader.finish()
  if (!Array.isArray(entries) || entries.length === 0) return reader.fail('layers', 'a non-empty list of layers', entries)
  const layers = entries.map((entry, index) => readLayer(entry, index))
  const first = layers[0]!
  if (!(first.layer instanceof InputLayer) && !first.layer.inputShape) {
    throw new InvalidArgumentError(`${first.path}: the first layer of a Sequential model needs 'batch_input_shape' (or an InputLayer before it)`)
  }
  layers.forEach(({ layer, path }, index) => {
    if (index > 0 && layer instanceof InputLayer) throw new InvalidArgumentError(`${path}: an InputLayer can only come first in a Sequential model`)
    if (layer.takesList) throw new InvalidArgumentError(`${path}: a merge layer cannot be used in a Sequential model`)
  })
  // Apply layer by layer so a shape error names its layer.
  const start = first.layer instanceof InputLayer
    ? first.layer
    : new InputLayer({ trainable: true, inputShape: first.layer.inputShape!, ...(first.layer.inputDtype ? { inputDtype: first.layer.inputDtype } : {}) })
  let tensor = start.output
  for (const { layer, path } of layers) {
    if (layer !== start) tensor = at(path, layer, () => layer.apply(tensor))
  }
  return new Model('Sequential', name, buildTopology([start.output], [tensor]), options)
}

/** Tensors a node refers to: Keras 2 lists [name, node, tensor, kwargs], or Keras 3 `__keras_tensor__` objects. */
function nodeRefs(node: unknown, fail: (message: string) => never): [string, number, number][] {
  if (Array.isArray(node)) {
    return node.map((ref) => {
      if (!Array.isArray(ref) || typeof ref[0] !== 'string' || !Number.isInteger(ref[1]) || !Number.isInteger(ref[2] ?? 0)) {
        return fail(`an inbound node entry must be [layer_name, node_index, tensor_index, kwargs], got ${describeValue(ref)}`)
      }
      return [ref[0], ref[1] as number, (ref[2] as number | undefined) ?? 0]
    })
  }
  if (isConfigObject(node) && Array.isArray(node.args)) {
    const refs: [string, number, number][] = []
    const walk = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(walk)
      else if (isConfigObject(value) && value.class_name === '__keras_tensor__' && isConfigObject(value.config)) refs.push(...nodeRefs([value.config.keras_history], fail))
    }
    walk(node.args)
    return refs
  }
  return fail(`an inbound node must be a list of tensor references or {args, kwargs}, got ${describeValue(node)}`)
}

function readFunctional(config: unknown, options: SpecOptions): Model {
  if (!isConfigObject(config)) throw new InvalidArgumentError(`spec: 'config' must be an object, got ${describeValue(config)}`)
  const reader = new ConfigReader('spec config', config)
  const name = reader.optionalString('name') ?? 'model'
  const entries = reader.raw('layers')
  const refList = (key: string): [string, number, number][] => {
    const value = reader.raw(key)
    // Keras 3 writes a single reference unwrapped.
    const list = Array.isArray(value) && typeof value[0] === 'string' ? [value] : value
    if (!Array.isArray(list) || list.length === 0) reader.fail(key, 'a non-empty list of [layer_name, node_index, tensor_index]', value)
    return nodeRefs(list, (message) => reader.failWith(`'${key}': ${message}`))
  }
  const inputRefs = refList('input_layers')
  const outputRefs = refList('output_layers')
  reader.accept('trainable')
  reader.finish()
  if (!Array.isArray(entries) || entries.length === 0) return reader.fail('layers', 'a non-empty list of layers', entries)

  const layers = entries.map((entry, index) => readLayer(entry, index))
  const byName = new Map<string, (typeof layers)[number]>()
  for (const item of layers) {
    const entryName = item.entry.name ?? item.layer.name
    if (typeof entryName !== 'string' || entryName.length === 0) throw new InvalidArgumentError(`${item.path}: 'name' must be a non-empty string, got ${describeValue(entryName)}`)
    if (item.layer.name && item.layer.name !== entryName) throw new InvalidArgumentError(`${item.path}: 'name' ${describeValue(entryName)} differs from config.name ${describeValue(item.layer.name)}`)
    if (byName.has(entryName)) throw new InvalidArgumentError(`${item.path}: layer name '${entryName}' is used twice`)
    item.layer.assignName(entryName)
    byName.set(entryName, item)
  }

  // Node k of a layer is its k-th call; create calls as soon as their inputs exist.
  const produced = new Map<string, SymbolicTensor>()
  const pending = layers.flatMap((item) => {
    const nodes = item.entry.inbound_nodes ?? []
    if (!Array.isArray(nodes)) throw new InvalidArgumentError(`${item.path}: 'inbound_nodes' must be a list, got ${describeValue(nodes)}`)
    if (item.layer instanceof InputLayer) {
      produced.set(`${item.layer.name}#0`, item.layer.output)
      return []
    }
    if (nodes.length === 0) throw new InvalidArgumentError(`${item.path}: 'inbound_nodes' is empty; the layer is not connected`)
    return nodes.map((node, index) => ({ item, index, refs: nodeRefs(node, (message) => { throw new InvalidArgumentError(`${item.path}: ${message}`) }) }))
  })
  for (const { item, refs } of pending) {
    for (const [ref] of refs) if (!byName.has(ref)) throw new InvalidArgumentError(`${item.path}: inbound node refers to unknown layer '${ref}'`)
  }
  while (pending.length > 0) {
    const ready = pending.findIndex(({ item, index, refs }) => refs.every(([ref, node]) => produced.has(`${ref}#${node}`)) && (index === 0 || produced.has(`${item.layer.name}#${index - 1}`)))
    if (ready < 0) {
      const { item, refs } = pending[0]!
      const missing = refs.find(([ref, node]) => !produced.has(`${ref}#${node}`))
      throw new InvalidArgumentError(`${item.path}: inbound node refers to ${missing ? `node ${missing[1]} of layer '${missing[0]}', which does not exist` : 'itself'} (or the layers form a cycle)`)
    }
    const [{ item, index, refs }] = pending.splice(ready, 1) as [(typeof pending)[number]]
    const inputs = refs.map(([ref, node]) => produced.get(`${ref}#${node}`)!)
    produced.set(`${item.layer.name}#${index}`, at(item.path, item.layer, () => item.layer.apply(item.layer.takesList ? inputs : inputs.length === 1 ? inputs[0]! : inputs)))
  }
  const resolve = (key: string) => ([ref, node]: [string, number, number]) => {
    const tensor = produced.get(`${ref}#${node}`)
    if (!tensor) throw new InvalidArgumentError(`spec config: '${key}' refers to node ${node} of layer '${ref}', which does not exist`)
    return tensor
  }
  const [inputs, outputs] = [inputRefs.map(resolve('input_layers')), outputRefs.map(resolve('output_layers'))]
  const topology = at('spec config', layers[0]!.layer, () => buildTopology(inputs, outputs))
  return new Model('Functional', name, topology, options)
}
