/**
 * @module runtime/model-config
 * A model's optional `config.json` in the repository (Triton's model configuration, JSON
 * form): max_batch_size, labels, version_policy and per-model engine options. Parsed and
 * validated here; a bad file fails that model with a clear reason, never the server.
 */
import type { EngineOptions } from './engine.ts'
import {
  parseDynamicBatching,
  parseInstanceGroup,
  parseWarmup,
  type DynamicBatchingConfig,
  type InstanceGroupConfig,
  type WarmupSample,
} from './model-config-scheduling.ts'

/** Triton's version policies: the n highest, all, or a fixed list. */
export type VersionPolicy =
  | { readonly kind: 'latest'; readonly count: number }
  | { readonly kind: 'all' }
  | { readonly kind: 'specific'; readonly versions: readonly number[] }

export interface ModelConfig {
  /** When given, must equal the model's folder name (as Triton requires). */
  readonly name?: string
  /** 0: the model does not batch; > 0: the first dimension is the batch, up to this size. */
  readonly maxBatchSize: number
  readonly labels?: readonly string[]
  readonly versionPolicy: VersionPolicy
  readonly engine: Partial<EngineOptions>
  /** Absent: requests run one by one (still queued across instances). */
  readonly dynamicBatching?: DynamicBatchingConfig
  readonly instanceGroup: InstanceGroupConfig
  /** Absent: one zero-filled batch-1 request, whose failure only logs a warning. */
  readonly warmup?: readonly WarmupSample[]
  /** Named versions (TF Serving's version labels; aliases in the registry), with an optional canary split. */
  readonly versionLabels: Readonly<Record<string, VersionLabel>>
}

/** A label's target: a version, and optionally a canary version taking `weight` percent of requests. */
export interface VersionLabel {
  readonly version: number
  readonly canary?: { readonly version: number; readonly weight: number }
}

export const DEFAULT_MODEL_CONFIG: ModelConfig = Object.freeze({
  maxBatchSize: 0,
  versionPolicy: Object.freeze({ kind: 'latest', count: 1 }),
  engine: Object.freeze({}),
  instanceGroup: Object.freeze({ count: 'auto', thread: 'auto' }),
  versionLabels: Object.freeze({}),
})

const KNOWN_KEYS = new Set(['name', 'platform', 'backend', 'max_batch_size', 'labels', 'version_policy', 'engine', 'parameters', 'dynamic_batching', 'instance_group', 'model_warmup', 'version_labels'])

/** Parses config.json text; throws an Error whose message says what is wrong. */
export function parseModelConfig(text: string): ModelConfig {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (error) {
    throw new Error(`config.json is not valid JSON: ${(error as Error).message}`)
  }
  if (!isObject(raw)) throw new Error('config.json must hold a JSON object')
  for (const key of Object.keys(raw)) {
    if (!KNOWN_KEYS.has(key)) throw new Error(`config.json: unknown key '${key}'; known keys: ${[...KNOWN_KEYS].join(', ')}`)
  }
  if (raw.platform !== undefined && raw.platform !== 'onnxruntime_onnx') {
    throw new Error(`config.json: platform '${String(raw.platform)}' is not served; maas serves 'onnxruntime_onnx'`)
  }
  if (raw.backend !== undefined && raw.backend !== 'onnxruntime') {
    throw new Error(`config.json: backend '${String(raw.backend)}' is not served; maas serves 'onnxruntime'`)
  }
  if (raw.name !== undefined && typeof raw.name !== 'string') throw new Error('config.json: name must be a string')
  const maxBatchSize = parseMaxBatchSize(raw.max_batch_size)
  return {
    ...(raw.name !== undefined ? { name: raw.name as string } : {}),
    maxBatchSize,
    labels: parseLabels(raw.labels),
    versionPolicy: parseVersionPolicy(raw.version_policy),
    engine: parseEngine(raw.engine),
    ...optional('dynamicBatching', parseDynamicBatching(raw.dynamic_batching)),
    instanceGroup: parseInstanceGroup(raw.instance_group),
    ...optional('warmup', parseWarmup(raw.model_warmup, maxBatchSize)),
    versionLabels: parseVersionLabels(raw.version_labels),
  }
}

function parseMaxBatchSize(value: unknown): number {
  if (value === undefined) return 0
  if (!Number.isInteger(value) || (value as number) < 0) throw new Error('config.json: max_batch_size must be a non-negative integer')
  return value as number
}

function parseLabels(value: unknown): readonly string[] | undefined {
  if (value === undefined) return undefined
  if (!Array.isArray(value) || !value.every((label) => typeof label === 'string')) {
    throw new Error('config.json: labels must be an array of strings')
  }
  return value
}

function parseVersionPolicy(value: unknown): VersionPolicy {
  if (value === undefined) return DEFAULT_MODEL_CONFIG.versionPolicy
  if (!isObject(value) || Object.keys(value).length !== 1) {
    throw new Error('config.json: version_policy must be one of {"latest":{"num_versions":N}}, {"all":{}}, {"specific":{"versions":[...]}}')
  }
  if (isObject(value.latest)) {
    const count = value.latest.num_versions ?? 1
    if (!Number.isInteger(count) || (count as number) < 1) throw new Error('config.json: version_policy.latest.num_versions must be a positive integer')
    return { kind: 'latest', count: count as number }
  }
  if (isObject(value.all)) return { kind: 'all' }
  if (isObject(value.specific)) {
    const versions = value.specific.versions
    if (!Array.isArray(versions) || versions.length === 0 || !versions.every((v) => Number.isInteger(v) && v >= 0)) {
      throw new Error('config.json: version_policy.specific.versions must be a non-empty array of version numbers')
    }
    return { kind: 'specific', versions }
  }
  throw new Error('config.json: version_policy must be one of {"latest":{"num_versions":N}}, {"all":{}}, {"specific":{"versions":[...]}}')
}

const ENGINE_KEYS: Record<string, (value: unknown) => boolean> = {
  intra_op_threads: (v) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 256,
  inter_op_threads: (v) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 256,
  graph_optimization_level: (v) => ['disabled', 'basic', 'extended', 'all'].includes(v as string),
  execution_mode: (v) => ['sequential', 'parallel'].includes(v as string),
}

function parseEngine(value: unknown): Partial<EngineOptions> {
  if (value === undefined) return {}
  if (!isObject(value)) throw new Error('config.json: engine must be an object')
  for (const [key, setting] of Object.entries(value)) {
    const valid = ENGINE_KEYS[key]
    if (!valid) throw new Error(`config.json: unknown engine option '${key}'; known: ${Object.keys(ENGINE_KEYS).join(', ')}`)
    if (!valid(setting)) throw new Error(`config.json: engine.${key} has an invalid value ${JSON.stringify(setting)}`)
  }
  const engine: { -readonly [K in keyof EngineOptions]?: EngineOptions[K] } = {}
  if (value.intra_op_threads !== undefined) engine.intraOpThreads = value.intra_op_threads as number
  if (value.inter_op_threads !== undefined) engine.interOpThreads = value.inter_op_threads as number
  if (value.graph_optimization_level !== undefined) engine.graphOptimizationLevel = value.graph_optimization_level as EngineOptions['graphOptimizationLevel']
  if (value.execution_mode !== undefined) engine.executionMode = value.execution_mode as EngineOptions['executionMode']
  return engine
}

/** The versions a policy serves, out of those present on disk. */
export function selectVersions(policy: VersionPolicy, available: readonly number[]): number[] {
  const sorted = [...available].sort((a, b) => b - a)
  switch (policy.kind) {
    case 'latest':
      return sorted.slice(0, policy.count)
    case 'all':
      return sorted
    case 'specific':
      return sorted.filter((version) => policy.versions.includes(version))
  }
}

/**
 * `{"stable": 1, "canary": {"version": 1, "canary_version": 2, "canary_weight": 10}}`: a label
 * names a version, or splits its traffic between a version and a canary by weight (percent).
 */
function parseVersionLabels(value: unknown): Readonly<Record<string, VersionLabel>> {
  if (value === undefined) return {}
  if (!isObject(value)) throw new Error('config.json: version_labels must be an object of label → version')
  const labels: Record<string, VersionLabel> = {}
  for (const [label, target] of Object.entries(value)) {
    if (!/^[A-Za-z][\w.-]{0,63}$/.test(label)) throw new Error(`config.json: version label '${label}' must start with a letter (letters, digits, _ . -)`)
    if (Number.isInteger(target) && (target as number) >= 0) {
      labels[label] = { version: target as number }
      continue
    }
    const split = isObject(target) ? target : undefined
    const valid = split && Number.isInteger(split.version) && Number.isInteger(split.canary_version) && Number.isFinite(split.canary_weight) && (split.canary_weight as number) >= 0 && (split.canary_weight as number) <= 100
    if (!valid) throw new Error(`config.json: version_labels.${label} must be a version number or {"version", "canary_version", "canary_weight" (0-100)}`)
    labels[label] = { version: split.version as number, canary: { version: split.canary_version as number, weight: split.canary_weight as number } }
  }
  return labels
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
