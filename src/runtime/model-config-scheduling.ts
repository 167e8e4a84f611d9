/**
 * @module runtime/model-config-scheduling
 * The scheduling parts of a model's config.json, in Triton's JSON form: `dynamic_batching`
 * (preferred sizes, queue delay, queue policy, priorities), `instance_group` (how many model
 * instances, on the main thread or in worker threads) and `model_warmup`.
 */

export interface DynamicBatchingConfig {
  readonly preferredBatchSizes: readonly number[]
  readonly maxQueueDelayMicros: number
  readonly maxQueueSize: number
  readonly defaultTimeoutMicros: number
  readonly timeoutAction: 'REJECT' | 'DELAY'
  readonly allowTimeoutOverride: boolean
  readonly priorityLevels: number
  readonly defaultPriorityLevel: number
}

/** Where model instances run. `auto` picks from the warm-up measurement (see docs/scheduling.md). */
export interface InstanceGroupConfig {
  readonly count: number | 'auto'
  readonly thread: 'main' | 'worker' | 'auto'
}

export interface WarmupInputConfig {
  readonly source: 'zero' | 'random' | 'file'
  /** For `file`: a path relative to `<model>/warmup/`, raw little-endian bytes as in the binary extension. */
  readonly file?: string
  readonly dims?: readonly number[]
}

export interface WarmupSample {
  readonly name: string
  readonly batchSize: number
  readonly count: number
  /** Inputs not listed get zeros. */
  readonly inputs: Readonly<Record<string, WarmupInputConfig>>
}

type Raw = Record<string, unknown>

export function parseDynamicBatching(value: unknown): DynamicBatchingConfig | undefined {
  if (value === undefined) return undefined
  const raw = expectObject(value, 'dynamic_batching')
  allowKeys(raw, 'dynamic_batching', ['preferred_batch_size', 'max_queue_delay_microseconds', 'preserve_ordering', 'priority_levels', 'default_priority_level', 'default_queue_policy'])
  const preferred = raw.preferred_batch_size ?? []
  if (!Array.isArray(preferred) || !preferred.every((size) => Number.isInteger(size) && size > 0)) {
    throw new Error('config.json: dynamic_batching.preferred_batch_size must be an array of positive integers')
  }
  const policy = raw.default_queue_policy === undefined ? {} : expectObject(raw.default_queue_policy, 'dynamic_batching.default_queue_policy')
  allowKeys(policy, 'dynamic_batching.default_queue_policy', ['max_queue_size', 'default_timeout_microseconds', 'timeout_action', 'allow_timeout_override'])
  const timeoutAction = policy.timeout_action ?? 'REJECT'
  if (timeoutAction !== 'REJECT' && timeoutAction !== 'DELAY') {
    throw new Error('config.json: dynamic_batching.default_queue_policy.timeout_action must be REJECT or DELAY')
  }
  const priorityLevels = nonNegativeInteger(raw.priority_levels, 'dynamic_batching.priority_levels')
  const defaultPriorityLevel = nonNegativeInteger(raw.default_priority_level, 'dynamic_batching.default_priority_level')
  if (priorityLevels > 0 && (defaultPriorityLevel < 1 || defaultPriorityLevel > priorityLevels)) {
    throw new Error(`config.json: dynamic_batching.default_priority_level must be between 1 and priority_levels (${priorityLevels})`)
  }
  return {
    preferredBatchSizes: [...preferred].sort((a, b) => a - b),
    maxQueueDelayMicros: nonNegativeInteger(raw.max_queue_delay_microseconds, 'dynamic_batching.max_queue_delay_microseconds'),
    maxQueueSize: nonNegativeInteger(policy.max_queue_size, 'dynamic_batching.default_queue_policy.max_queue_size'),
    defaultTimeoutMicros: nonNegativeInteger(policy.default_timeout_microseconds, 'dynamic_batching.default_queue_policy.default_timeout_microseconds'),
    timeoutAction,
    allowTimeoutOverride: policy.allow_timeout_override === undefined ? true : Boolean(policy.allow_timeout_override),
    priorityLevels,
    defaultPriorityLevel,
  }
}

export function parseInstanceGroup(value: unknown): InstanceGroupConfig {
  if (value === undefined) return { count: 'auto', thread: 'auto' }
  if (!Array.isArray(value) || value.length !== 1) {
    throw new Error('config.json: instance_group must be a list with one group, e.g. [{"count": 2, "kind": "KIND_CPU", "thread": "worker"}]')
  }
  const group = expectObject(value[0], 'instance_group[0]')
  allowKeys(group, 'instance_group[0]', ['name', 'count', 'kind', 'thread'])
  if (group.kind !== undefined && group.kind !== 'KIND_CPU' && group.kind !== 'KIND_AUTO') {
    throw new Error(`config.json: instance_group kind '${String(group.kind)}' is not available; maas runs KIND_CPU instances`)
  }
  const count = group.count ?? 'auto'
  if (count !== 'auto' && (!Number.isInteger(count) || (count as number) < 1 || (count as number) > 64)) {
    throw new Error('config.json: instance_group[0].count must be an integer from 1 to 64')
  }
  const thread = group.thread ?? 'auto'
  if (thread !== 'main' && thread !== 'worker' && thread !== 'auto') {
    throw new Error("config.json: instance_group[0].thread must be 'main', 'worker' or 'auto'")
  }
  if (thread === 'main' && count !== 'auto' && count !== 1) {
    throw new Error('config.json: instances on the main thread run one at a time; use thread "worker" for count > 1')
  }
  return { count: count as number | 'auto', thread }
}

/** model_warmup; a sample's batch_size may not exceed max_batch_size (as in Triton) when the model batches. */
export function parseWarmup(value: unknown, maxBatchSize: number): readonly WarmupSample[] | undefined {
  if (value === undefined) return undefined
  if (!Array.isArray(value)) throw new Error('config.json: model_warmup must be a list of samples')
  return value.map((entry, index) => {
    const where = `model_warmup[${index}]`
    const sample = expectObject(entry, where)
    allowKeys(sample, where, ['name', 'batch_size', 'count', 'inputs'])
    const batchSize = sample.batch_size ?? 1
    if (!Number.isInteger(batchSize) || (batchSize as number) < 1) throw new Error(`config.json: ${where}.batch_size must be a positive integer`)
    if (maxBatchSize > 0 && (batchSize as number) > maxBatchSize) throw new Error(`config.json: ${where}.batch_size ${batchSize} exceeds max_batch_size ${maxBatchSize}`)
    const count = nonNegativeInteger(sample.count, `${where}.count`)
    const inputs: Record<string, WarmupInputConfig> = {}
    for (const [name, input] of Object.entries(sample.inputs === undefined ? {} : expectObject(sample.inputs, `${where}.inputs`))) {
      inputs[name] = parseWarmupInput(expectObject(input, `${where}.inputs.${name}`), `${where}.inputs.${name}`)
    }
    return { name: typeof sample.name === 'string' ? sample.name : `sample ${index}`, batchSize: batchSize as number, count: Math.max(1, count), inputs }
  })
}

function parseWarmupInput(input: Raw, where: string): WarmupInputConfig {
  allowKeys(input, where, ['data_type', 'dims', 'zero_data', 'random_data', 'input_data_file'])
  const sources = [input.zero_data === true, input.random_data === true, typeof input.input_data_file === 'string'].filter(Boolean).length
  if (sources !== 1) throw new Error(`config.json: ${where} needs exactly one of zero_data: true, random_data: true, input_data_file`)
  if (input.dims !== undefined && (!Array.isArray(input.dims) || !input.dims.every((dim) => Number.isInteger(dim) && dim >= 1))) {
    throw new Error(`config.json: ${where}.dims must be a list of positive integers`)
  }
  const file = input.input_data_file as string | undefined
  if (file !== undefined && (file.includes('..') || file.startsWith('/'))) throw new Error(`config.json: ${where}.input_data_file must be a path inside the model's warmup/ folder`)
  return {
    source: input.zero_data === true ? 'zero' : input.random_data === true ? 'random' : 'file',
    ...(file !== undefined ? { file } : {}),
    ...(input.dims !== undefined ? { dims: input.dims as number[] } : {}),
  }
}

function expectObject(value: unknown, where: string): Raw {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`config.json: ${where} must be an object`)
  return value as Raw
}

function allowKeys(value: Raw, where: string, known: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) throw new Error(`config.json: unknown key '${key}' in ${where}; known: ${known.join(', ')}`)
  }
}

function nonNegativeInteger(value: unknown, where: string): number {
  if (value === undefined) return 0
  const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value
  if (!Number.isInteger(number) || (number as number) < 0) throw new Error(`config.json: ${where} must be a non-negative integer`)
  return number as number
}
