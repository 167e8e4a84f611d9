/**
 * @module config/config
 * The only place that reads configuration. Sources, later ones winning: built-in defaults <
 * a JSON config file (`--config FILE` or MAAS_CONFIG) < MAAS_* environment variables < CLI
 * flags. Every value is validated and the result is one frozen object.
 */
import { readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { InvalidArgumentError } from '../core/errors.ts'
import { CONFIG_FIELDS, type ConfigField } from './config-fields.ts'

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'

/** Engine defaults for every model; a model's config.json `engine` overrides them. */
export interface EngineDefaults {
  readonly intraOpThreads: number
  readonly interOpThreads: number
  readonly graphOptimizationLevel: 'disabled' | 'basic' | 'extended' | 'all'
  readonly executionMode: 'sequential' | 'parallel'
}

export interface MaasConfig {
  /** A Triton-layout folder imported into the registry (and re-read on each load); may not exist. */
  readonly modelRepository: string
  readonly dataDir: string
  /** `sqlite:PATH`, a file path, or a `postgres://` URL; default `<dataDir>/registry.sqlite`. */
  readonly registryUrl: string
  /** Content-addressed model files; default `<dataDir>/artifacts`. */
  readonly artifactsDir: string
  readonly host: string
  readonly httpPort: number
  readonly grpcPort: number
  /** Largest gRPC message received or sent, in bytes. */
  readonly grpcMaxMessageBytes: number
  /** Largest request body accepted, in bytes (413 above it). */
  readonly maxBodyBytes: number
  /** Largest model file accepted by the upload endpoint (ONNX files without external data stay below 2 GiB). */
  readonly maxUploadBytes: number
  readonly logLevel: LogLevel
  /** How long SIGTERM waits for in-flight requests before closing connections. */
  readonly shutdownTimeoutMs: number
  readonly engine: EngineDefaults
  /** MAAS_ADMIN_KEY: an admin API key whose hash is stored on start; absent: one is generated on first start. */
  readonly adminKey?: string
  /** Training jobs this server runs at once; more wait in the queue. */
  readonly jobConcurrency: number
  /** Lease of a running job, renewed every third of it; after a crash the job resumes once it runs out. */
  readonly jobLeaseMs: number
  /** Train and serve the embedded default model (`mnist@production`) when maas has trained nothing yet. */
  readonly bootstrap: boolean
  /** Require API keys; off only for local experiments (a warning is logged on every start). */
  readonly auth: boolean
  readonly redisUrl?: string
  /** Per-key requests per second (token bucket) and its burst; absent: unlimited. */
  readonly keyRate?: number
  readonly keyBurst?: number
  /** Per-model inference requests per second over all keys; absent: unlimited. */
  readonly modelRate?: number
  readonly dailyRequests?: number
  readonly dailySamples?: number
  readonly maxConcurrentPerKey: number
  readonly metricsAccess: 'open' | 'scope' | 'admin'
  readonly tlsCert?: string
  readonly tlsKey?: string
  readonly corsOrigins: readonly string[]
  /** Elements of one input tensor (400 above). */
  readonly maxTensorElements: number
  /** Bytes of one BYTES element (400 above). */
  readonly maxStringBytes: number
  /** Time to receive a whole HTTP request (408 after); 0: none. */
  readonly requestTimeoutMs: number
}

/** Where a raw value came from, for error messages that point at the right place. */
type Source = { kind: 'file'; path: string } | { kind: 'env' } | { kind: 'flag' }

/** Raw values keyed by config field name (as in config-fields.ts). */
export type RawConfig = Record<string, unknown>

export interface ConfigInputs {
  readonly flags?: RawConfig
  readonly env?: NodeJS.ProcessEnv
  /** Working directory that relative paths are resolved against. */
  readonly cwd?: string
}

export function defaultConfig(cwd = process.cwd()): MaasConfig {
  return {
    modelRepository: path.resolve(cwd, 'model-repository'),
    dataDir: path.resolve(cwd, 'data'),
    registryUrl: path.resolve(cwd, 'data', 'registry.sqlite'),
    artifactsDir: path.resolve(cwd, 'data', 'artifacts'),
    host: '127.0.0.1',
    httpPort: 8000,
    grpcPort: 8001,
    grpcMaxMessageBytes: 64 * 1024 * 1024,
    maxBodyBytes: 64 * 1024 * 1024,
    maxUploadBytes: 1024 * 1024 * 1024,
    logLevel: 'info',
    shutdownTimeoutMs: 30_000,
    engine: {
      // ORT's thread pool degrades badly when another process holds a core, and HTTP shares
      // the main thread: one intra-op thread per session never oversubscribes.
      intraOpThreads: 1,
      interOpThreads: 1,
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
    },
    // A training job takes a core; serving keeps the rest.
    jobConcurrency: Math.max(1, Math.floor(availableCores() / 2)),
    jobLeaseMs: 30_000,
    bootstrap: true,
    auth: true,
    maxConcurrentPerKey: 256,
    metricsAccess: 'scope',
    corsOrigins: [],
    maxTensorElements: 64 * 1024 * 1024,
    maxStringBytes: 1024 * 1024,
    requestTimeoutMs: 300_000,
  }
}

/** Builds the configuration from all sources; throws InvalidArgumentError naming the bad value. */
export function loadConfig({ flags = {}, env = process.env, cwd = process.cwd() }: ConfigInputs = {}): MaasConfig {
  const configPath = (flags.config as string | undefined) ?? env.MAAS_CONFIG
  const values: Record<string, unknown> = {}
  if (configPath) {
    const filePath = path.resolve(cwd, configPath)
    for (const [key, value] of Object.entries(readConfigFile(filePath))) {
      values[key] = parseField(fieldNamed(key, filePath), value, { kind: 'file', path: filePath }, path.dirname(filePath))
    }
  }
  for (const field of CONFIG_FIELDS) {
    const raw = env[field.env]
    if (raw !== undefined && raw !== '') values[field.name] = parseField(field, raw, { kind: 'env' }, cwd)
  }
  for (const [key, value] of Object.entries(flags)) {
    if (key === 'config' || value === undefined) continue
    values[key] = parseField(fieldNamed(key, 'command line'), value, { kind: 'flag' }, cwd)
  }
  // The registry and the artifacts live in the data directory unless placed elsewhere.
  const dataDir = (values.dataDir as string | undefined) ?? defaultConfig(cwd).dataDir
  values.registryUrl ??= path.join(dataDir, 'registry.sqlite')
  values.artifactsDir ??= path.join(dataDir, 'artifacts')
  return freezeConfig(applyValues(defaultConfig(cwd), values))
}

function readConfigFile(filePath: string): RawConfig {
  let text: string
  try {
    text = readFileSync(filePath, 'utf8')
  } catch (error) {
    throw new InvalidArgumentError(`cannot read config file ${filePath}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    throw new InvalidArgumentError(`config file ${filePath} is not valid JSON: ${(error as Error).message}`)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidArgumentError(`config file ${filePath} must hold a JSON object`)
  }
  return parsed as RawConfig
}

function fieldNamed(name: string, where: string): ConfigField {
  const field = CONFIG_FIELDS.find((candidate) => candidate.name === name)
  if (!field) {
    throw new InvalidArgumentError(
      `unknown setting '${name}' in ${where}; known settings: ${CONFIG_FIELDS.map((f) => f.name).join(', ')}`,
    )
  }
  return field
}

function parseField(field: ConfigField, value: unknown, source: Source, base: string): unknown {
  const label =
    source.kind === 'env' ? field.env : source.kind === 'flag' ? `--${field.flag}` : `'${field.name}' in ${source.path}`
  const parsed = field.parse(value)
  if (parsed === undefined) throw new InvalidArgumentError(`${label}: expected ${field.expected}, got ${JSON.stringify(value)}`)
  return field.kind === 'path' ? path.resolve(base, parsed as string) : parsed
}

function applyValues(config: MaasConfig, values: Record<string, unknown>): MaasConfig {
  const engine: Record<string, unknown> = { ...config.engine }
  const top: Record<string, unknown> = { ...config }
  for (const field of CONFIG_FIELDS) {
    if (!(field.name in values)) continue
    if (field.engineKey) engine[field.engineKey] = values[field.name]
    else top[field.name] = values[field.name]
  }
  return { ...(top as unknown as MaasConfig), engine: engine as unknown as EngineDefaults }
}

function freezeConfig(config: MaasConfig): MaasConfig {
  Object.freeze(config.engine)
  return Object.freeze(config)
}

/** The cores this process may use; never less than one. */
export function availableCores(): number {
  return Math.max(1, os.availableParallelism())
}
