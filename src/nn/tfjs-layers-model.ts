/**
 * @module nn/tfjs-layers-model
 * Imports a TF.js layers model with its weights: a model.json (format 'layers-model', as
 * tfjs' file savers and the tensorflowjs converter write it) and its weight shards, or the
 * in-memory ModelArtifacts tf.io.withSaveHandler hands over. The topology is read by
 * modelFromSpec; the weights are decoded by nn/tfjs-weights, matched to the model's by name
 * as tfjs-layers matches them ('<layer>/<weight>'), and converted from Keras' layout. The
 * import is strict: every model weight must be given once with its Keras shape, and nothing
 * else (optimizer state saved with includeOptimizer is skipped).
 */
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { InvalidArgumentError } from '../core/errors.ts'
import { describeValue, isConfigObject } from './config-reader.ts'
import { modelFromSpec } from './model-spec.ts'
import type { Model, WeightValue } from './model.ts'
import type { ModelWeight } from './model-weights.ts'
import { decodeTfjsWeights, type TfjsWeight, type TfjsWeightBlock } from './tfjs-weights.ts'

/** TF.js ModelArtifacts (tf.io.withSaveHandler, tf.io.fromMemory): topology, weight specs and their bytes. */
export interface TfjsModelArtifacts {
  readonly modelTopology?: unknown
  readonly format?: string
  readonly weightSpecs?: readonly unknown[]
  readonly weightData?: ArrayBuffer | readonly ArrayBuffer[] | Uint8Array
}

/** Reads one shard named in the manifest's `paths`. */
export type TfjsShardReader = (shardPath: string) => Promise<Uint8Array>

/** A Model from a model.json file and the shards beside it. */
export async function loadTfjsLayersModel(modelJsonPath: string): Promise<Model> {
  const text = await readFile(modelJsonPath, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new InvalidArgumentError(`cannot read ${modelJsonPath}: ${error.code ?? error.message}`)
  })
  const folder = path.dirname(path.resolve(modelJsonPath))
  return modelFromTfjsModelJson(text, async (shardPath) => {
    const file = path.resolve(folder, shardPath)
    const relative = path.relative(folder, file)
    if (path.isAbsolute(shardPath) || relative === '..' || relative.startsWith(`..${path.sep}`)) {
      throw new InvalidArgumentError(`${modelJsonPath}: weight shard '${shardPath}' is outside the model's folder`)
    }
    return readFile(file).catch((error: NodeJS.ErrnoException) => {
      throw new InvalidArgumentError(`${modelJsonPath}: cannot read weight shard '${shardPath}' (${file}): ${error.code ?? error.message}`)
    })
  })
}

/** A Model from model.json (text or parsed) whose shards `readShard` supplies, e.g. from an upload. */
export async function modelFromTfjsModelJson(modelJson: unknown, readShard: TfjsShardReader): Promise<Model> {
  const json = parseJson(modelJson)
  const model = modelFromSpec(topologyOf(json))
  const manifest = json.weightsManifest ?? []
  if (!Array.isArray(manifest)) throw new InvalidArgumentError(`model.json: 'weightsManifest' must be a list of {paths, weights}, got ${describeValue(manifest)}`)
  const blocks: TfjsWeightBlock[] = []
  for (const [index, group] of manifest.entries()) {
    const at = `weightsManifest[${index}]`
    if (!isConfigObject(group) || !Array.isArray(group.weights)) throw new InvalidArgumentError(`model.json: ${at} must be an object with 'paths' and 'weights' lists, got ${describeValue(group)}`)
    const { paths } = group
    if (!Array.isArray(paths) || !paths.every((shard) => typeof shard === 'string' && shard.length > 0)) throw new InvalidArgumentError(`model.json: ${at}.paths must be a list of file names, got ${describeValue(paths)}`)
    // A group's shards are one byte stream cut into files, in the listed order.
    const shards = await Promise.all((paths as string[]).map(readShard))
    blocks.push({ entries: group.weights, data: concatenate(shards), source: `${at} (${paths.join(', ')})` })
  }
  setTfjsWeights(model, decodeTfjsWeights(blocks))
  return model
}

/** A Model from in-memory ModelArtifacts. */
export function modelFromTfjsArtifacts(artifacts: TfjsModelArtifacts): Model {
  const model = modelFromSpec(topologyOf(artifacts as Readonly<Record<string, unknown>>))
  const data = artifacts.weightData === undefined ? new Uint8Array(0) : concatenate(toByteList(artifacts.weightData))
  setTfjsWeights(model, decodeTfjsWeights([{ entries: artifacts.weightSpecs ?? [], data, source: 'weightData' }]))
  return model
}

/** Gives every weight of `model` its decoded value; throws naming unknown, doubled, missing and mis-shaped weights. */
export function setTfjsWeights(model: Model, weights: readonly TfjsWeight[]): void {
  const byName = new Map(model.weights.map((weight) => [weight.name, weight]))
  const given = new Map<ModelWeight, string>()
  const values = new Map<string, WeightValue>()
  const unknown: string[] = []
  for (const weight of weights) {
    if (weight.group === 'optimizer') continue
    const target = resolveWeight(model, byName, weight.name)
    if (!target) {
      unknown.push(weight.name)
      continue
    }
    const earlier = given.get(target)
    if (earlier !== undefined) throw new InvalidArgumentError(`weights '${earlier}' and '${weight.name}' both give the model's weight '${target.name}'`)
    if (JSON.stringify(weight.shape) !== JSON.stringify(target.spec.kerasShape)) {
      throw new InvalidArgumentError(`weight '${weight.name}' has shape ${JSON.stringify(weight.shape)}, but the model's '${target.name}' needs ${JSON.stringify(target.spec.kerasShape)}`)
    }
    given.set(target, weight.name)
    values.set(target.name, { shape: weight.shape, data: weight.data })
  }
  if (unknown.length > 0) {
    throw new InvalidArgumentError(`the weights ${list(unknown)} match no weight of model '${model.name}' (its weights: ${list(model.weights.map((weight) => weight.name))})`)
  }
  const missing = model.weights.filter((weight) => !given.has(weight))
  if (missing.length > 0) throw new InvalidArgumentError(`no values are given for the weights ${list(missing.map((weight) => weight.name))} of model '${model.name}'`)
  model.setKerasWeights(values)
}

/**
 * The model weight a manifest name stands for, by tfjs-layers' rules: the name itself (less
 * Keras' ':0'); '<layer>/<cell>/<weight>' as '<layer>/<weight>'; Keras 3's '<layer>/<index>'.
 */
function resolveWeight(model: Model, byName: ReadonlyMap<string, ModelWeight>, rawName: string): ModelWeight | undefined {
  const name = rawName.replace(/:0$/, '')
  const tokens = name.split('/')
  const last = tokens[tokens.length - 1]!
  const exact = byName.get(name) ?? (tokens.length >= 3 ? byName.get([...tokens.slice(0, -2), last].join('/')) : undefined)
  if (exact || tokens.length < 2 || !/^\d+$/.test(last)) return exact
  const layer = tokens.slice(0, -1).join('/')
  return model.weights.filter((weight) => weight.layer.name === layer)[Number(last)]
}

function parseJson(modelJson: unknown): Readonly<Record<string, unknown>> {
  let json = modelJson
  if (typeof json === 'string') {
    try {
      json = JSON.parse(json)
    } catch (error) {
      throw new InvalidArgumentError(`model.json: not valid JSON (${(error as Error).message})`)
    }
  }
  if (!isConfigObject(json)) throw new InvalidArgumentError(`model.json: must be an object with 'modelTopology' and 'weightsManifest', got ${describeValue(json)}`)
  return json
}

function topologyOf(json: Readonly<Record<string, unknown>>): unknown {
  const { format, modelTopology } = json
  if (format !== undefined && format !== 'layers-model') {
    throw new InvalidArgumentError(`model.json: format ${describeValue(format)} is not a TF.js layers model ('layers-model'); graph models cannot be imported`)
  }
  if (!isConfigObject(modelTopology)) throw new InvalidArgumentError(`model.json: 'modelTopology' must be a Keras model config object, got ${describeValue(modelTopology)}`)
  return modelTopology
}

function toByteList(data: ArrayBuffer | readonly ArrayBuffer[] | Uint8Array): Uint8Array[] {
  if (data instanceof Uint8Array) return [data]
  return (data instanceof ArrayBuffer ? [data] : [...data]).map((buffer) => new Uint8Array(buffer))
}

function concatenate(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!
  const joined = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0))
  let offset = 0
  for (const part of parts) {
    joined.set(part, offset)
    offset += part.length
  }
  return joined
}

function list(names: readonly string[]): string {
  const shown = names.slice(0, 12).map((name) => `'${name}'`).join(', ')
  return names.length > 12 ? `${shown} and ${names.length - 12} more` : shown
}
