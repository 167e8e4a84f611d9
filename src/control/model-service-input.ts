/**
 * @module control/model-service-input
 * Turns untrusted JSON (an HTTP body, a CLI file, a gRPC struct) into the typed inputs of
 * ModelService, with INVALID_ARGUMENT messages that name the field at fault. Transport-free:
 * every front end validates the same way.
 */
import { InvalidArgumentError } from '../core/errors.ts'
import type { Canary } from '../registry/alias-store.ts'
import { LINEAGE_OPERATIONS, type LineageOperation, type VersionRef } from '../registry/lineage-store.ts'
import type { ModelPatch, NewModel, Visibility } from '../registry/model-store.ts'
import { VISIBILITIES } from '../registry/model-store.ts'
import { assertAliasName, assertModelName, assertVersionNumber } from '../registry/registry-names.ts'
import { parseModelConfig } from '../runtime/model-config.ts'

/** What an upload may say about the new version besides its bytes. */
export interface UploadMetadata {
  readonly metrics?: Readonly<Record<string, number>>
  /** Free text kept with the lineage record's parameters. */
  readonly description?: string
  readonly operation?: LineageOperation
  readonly parents?: readonly VersionRef[]
  readonly parameters?: Readonly<Record<string, unknown>>
  readonly dataset?: string | null
  /** Point this alias at the new version once it is READY. */
  readonly alias?: string
}

/** Where an alias should point. */
export interface AliasRequest {
  readonly version: number
  readonly canary?: Canary | null
}

type Json = Record<string, unknown>

/** A JSON object or an INVALID_ARGUMENT naming `what`. */
export function asObject(value: unknown, what: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidArgumentError(`${what} must be a JSON object`)
  return value as Json
}

function refuseUnknown(body: Json, known: readonly string[], what: string): void {
  for (const key of Object.keys(body)) {
    if (!known.includes(key)) throw new InvalidArgumentError(`${what}: unknown field '${key}'; known fields: ${known.join(', ')}`)
  }
}

function optionalString(body: Json, key: string, what: string): string | undefined {
  const value = body[key]
  if (value === undefined) return undefined
  if (typeof value !== 'string') throw new InvalidArgumentError(`${what}: "${key}" must be a string`)
  return value
}

function nullableString(body: Json, key: string, what: string): string | null | undefined {
  return body[key] === null ? null : optionalString(body, key, what)
}

function stringRecord(value: unknown, what: string): Record<string, string> {
  const object = asObject(value, what)
  for (const [key, entry] of Object.entries(object)) {
    if (typeof entry !== 'string') throw new InvalidArgumentError(`${what}: value of '${key}' must be a string`)
  }
  return object as Record<string, string>
}

/** `{ name: number }` with finite numbers, as evaluation metrics are. */
export function parseMetrics(value: unknown, what = 'metrics'): Record<string, number> {
  const object = asObject(value, what)
  for (const [key, entry] of Object.entries(object)) {
    if (typeof entry !== 'number' || !Number.isFinite(entry)) throw new InvalidArgumentError(`${what}: '${key}' must be a finite number`)
  }
  return object as Record<string, number>
}

/** Checks a Triton config.json object the way the serving side will read it. */
export function parseServingConfig(value: unknown, model: string): Record<string, unknown> | null {
  if (value === null) return null
  const object = asObject(value, 'servingConfig')
  try {
    const config = parseModelConfig(JSON.stringify(object))
    if (config.name !== undefined && config.name !== model) throw new Error(`"name" is '${config.name}' but the model is '${model}'`)
  } catch (error) {
    throw new InvalidArgumentError(`servingConfig: ${(error as Error).message.replace(/^config\.json:\s*/, '')}`)
  }
  return object
}

function visibilityOf(body: Json, what: string): Visibility | undefined {
  const value = optionalString(body, 'visibility', what)
  if (value !== undefined && !(VISIBILITIES as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`${what}: "visibility" must be one of ${VISIBILITIES.join(', ')}`)
  }
  return value as Visibility | undefined
}

const MODEL_FIELDS = ['description', 'task', 'labels', 'visibility', 'servingConfig'] as const

/** A new model: `name` plus the optional descriptive fields. */
export function parseNewModel(value: unknown): NewModel {
  const body = asObject(value, 'model')
  refuseUnknown(body, ['name', ...MODEL_FIELDS], 'model')
  const name = body.name
  if (typeof name !== 'string') throw new InvalidArgumentError('model: "name" is required and must be a string')
  assertModelName(name)
  return { name, ...parseModelFields(body, name, 'model') }
}

/** A model patch: any of the descriptive fields; absent ones keep their value. */
export function parseModelPatch(value: unknown, model: string): ModelPatch {
  const body = asObject(value, 'model patch')
  refuseUnknown(body, MODEL_FIELDS, 'model patch')
  return parseModelFields(body, model, 'model patch')
}

function parseModelFields(body: Json, model: string, what: string): ModelPatch {
  const description = optionalString(body, 'description', what)
  const task = nullableString(body, 'task', what)
  const visibility = visibilityOf(body, what)
  return {
    ...(description !== undefined ? { description } : {}),
    ...(task !== undefined ? { task } : {}),
    ...(body.labels !== undefined ? { labels: stringRecord(body.labels, `${what}: "labels"`) } : {}),
    ...(visibility !== undefined ? { visibility } : {}),
    ...(body.servingConfig !== undefined ? { servingConfig: parseServingConfig(body.servingConfig, model) } : {}),
  }
}

function positiveInteger(value: unknown, what: string): number {
  if (typeof value !== 'number') throw new InvalidArgumentError(`${what} must be a positive integer`)
  assertVersionNumber(value)
  return value
}

/** The JSON an upload carries: metrics, lineage (operation, parents, parameters, dataset), description, alias. */
export function parseUploadMetadata(value: unknown, model: string): UploadMetadata {
  const body = asObject(value, 'metadata')
  refuseUnknown(body, ['metrics', 'description', 'operation', 'parents', 'parameters', 'dataset', 'alias'], 'metadata')
  const operation = optionalString(body, 'operation', 'metadata')
  if (operation !== undefined && !(LINEAGE_OPERATIONS as readonly string[]).includes(operation)) {
    throw new InvalidArgumentError(`metadata: "operation" must be one of ${LINEAGE_OPERATIONS.join(', ')}`)
  }
  let parents: VersionRef[] | undefined
  if (body.parents !== undefined) {
    if (!Array.isArray(body.parents)) throw new InvalidArgumentError('metadata: "parents" must be an array of {model?, version}')
    parents = body.parents.map((entry: unknown, index) => {
      const parent = typeof entry === 'number' ? { version: entry } : asObject(entry, `metadata: parents[${index}]`)
      const parentModel = parent.model === undefined ? model : parent.model
      if (typeof parentModel !== 'string') throw new InvalidArgumentError(`metadata: parents[${index}].model must be a string`)
      assertModelName(parentModel)
      return { model: parentModel, version: positiveInteger(parent.version, `metadata: parents[${index}].version`) }
    })
  }
  const alias = optionalString(body, 'alias', 'metadata')
  if (alias !== undefined) assertAliasName(alias)
  const description = optionalString(body, 'description', 'metadata')
  const dataset = nullableString(body, 'dataset', 'metadata')
  return {
    ...(body.metrics !== undefined ? { metrics: parseMetrics(body.metrics, 'metadata: "metrics"') } : {}),
    ...(description !== undefined ? { description } : {}),
    ...(operation !== undefined ? { operation: operation as LineageOperation } : {}),
    ...(parents !== undefined ? { parents } : {}),
    ...(body.parameters !== undefined ? { parameters: asObject(body.parameters, 'metadata: "parameters"') } : {}),
    ...(dataset !== undefined ? { dataset } : {}),
    ...(alias !== undefined ? { alias } : {}),
  }
}

/** `{version, canary?: {version, weight} | null}`. */
export function parseAliasRequest(value: unknown): AliasRequest {
  const body = asObject(value, 'alias')
  refuseUnknown(body, ['version', 'canary'], 'alias')
  const version = positiveInteger(body.version, 'alias: "version"')
  if (body.canary === undefined || body.canary === null) return { version, canary: null }
  const canary = asObject(body.canary, 'alias: "canary"')
  refuseUnknown(canary, ['version', 'weight'], 'alias: "canary"')
  const weight = canary.weight
  if (typeof weight !== 'number' || !Number.isInteger(weight) || weight < 0 || weight > 100) {
    throw new InvalidArgumentError('alias: "canary.weight" must be an integer from 0 to 100')
  }
  const canaryVersion = positiveInteger(canary.version, 'alias: "canary.version"')
  if (canaryVersion === version) throw new InvalidArgumentError('alias: "canary.version" must differ from "version"')
  return { version, canary: { version: canaryVersion, weight } }
}

/** A version number from a path segment: digits only. */
export function parseVersionNumber(text: string): number {
  if (!/^\d{1,15}$/.test(text) || Number(text) < 1) throw new InvalidArgumentError(`version '${text}' must be a positive integer`)
  return Number(text)
}
