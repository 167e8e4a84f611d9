/**
 * @module config/config-fields
 * The catalogue of settings: name (config file key), environment variable, CLI flag, and
 * a parser that returns undefined for a bad value. Adding a setting means adding a row here.
 */

export interface ConfigField {
  /** Key in the config file and in the flags object. */
  readonly name: string
  readonly env: string
  readonly flag: string
  readonly kind: 'path' | 'value'
  /** What a valid value looks like, for error messages. */
  readonly expected: string
  readonly parse: (value: unknown) => unknown
  /** Set for settings that live under `engine`. */
  readonly engineKey?: string
  readonly description: string
}

function integerIn(min: number, max: number) {
  return (value: unknown): number | undefined => {
    const number = typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value
    return typeof number === 'number' && Number.isInteger(number) && number >= min && number <= max ? number : undefined
  }
}

function oneOf<T extends string>(...choices: T[]) {
  return (value: unknown): T | undefined => (choices.includes(value as T) ? (value as T) : undefined)
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined
}

function onOff(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value
  const text = typeof value === 'string' ? value.trim().toLowerCase() : undefined
  return text === undefined ? undefined : ['1', 'true', 'on', 'yes'].includes(text) ? true : ['0', 'false', 'off', 'no'].includes(text) ? false : undefined
}

function positiveNumber(value: unknown): number | undefined {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value
  return typeof number === 'number' && Number.isFinite(number) && number > 0 ? number : undefined
}

function commaList(value: unknown): readonly string[] | undefined {
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value
  return typeof value === 'string' ? value.split(',').map((item) => item.trim()).filter(Boolean) : undefined
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
const OPTIMIZATION_LEVELS = ['disabled', 'basic', 'extended', 'all'] as const

export const CONFIG_FIELDS: readonly ConfigField[] = [
  { name: 'modelRepository', env: 'MAAS_MODEL_REPOSITORY', flag: 'model-repository', kind: 'path', expected: 'a directory path', parse: nonEmptyString, description: 'Triton-style model repository to serve' },
  { name: 'dataDir', env: 'MAAS_DATA_DIR', flag: 'data-dir', kind: 'path', expected: 'a directory path', parse: nonEmptyString, description: 'directory for server state' },
  { name: 'registryUrl', env: 'MAAS_REGISTRY_URL', flag: 'registry-url', kind: 'value', expected: 'a postgres:// URL, sqlite:PATH or a file path', parse: nonEmptyString, description: 'model registry database (default: <data dir>/registry.sqlite)' },
  { name: 'artifactsDir', env: 'MAAS_ARTIFACTS_DIR', flag: 'artifacts-dir', kind: 'path', expected: 'a directory path', parse: nonEmptyString, description: 'model file store (default: <data dir>/artifacts)' },
  { name: 'host', env: 'MAAS_HOST', flag: 'host', kind: 'value', expected: 'a host name or address', parse: nonEmptyString, description: 'address to listen on' },
  { name: 'httpPort', env: 'MAAS_HTTP_PORT', flag: 'http-port', kind: 'value', expected: 'an integer from 0 to 65535', parse: integerIn(0, 65535), description: 'HTTP port (0 picks a free one)' },
  { name: 'grpcPort', env: 'MAAS_GRPC_PORT', flag: 'grpc-port', kind: 'value', expected: 'an integer from 0 to 65535', parse: integerIn(0, 65535), description: 'gRPC port (0 picks a free one)' },
  { name: 'grpcMaxMessageBytes', env: 'MAAS_GRPC_MAX_MESSAGE_BYTES', flag: 'grpc-max-message-bytes', kind: 'value', expected: 'an integer from 1024 to 2147483647', parse: integerIn(1024, 2 ** 31 - 1), description: 'largest gRPC message, in bytes' },
  { name: 'maxBodyBytes', env: 'MAAS_MAX_BODY_BYTES', flag: 'max-body-bytes', kind: 'value', expected: 'an integer from 1024 to 2147483647', parse: integerIn(1024, 2 ** 31 - 1), description: 'largest request body, in bytes (model uploads: --max-upload-bytes)' },
  { name: 'maxUploadBytes', env: 'MAAS_MAX_UPLOAD_BYTES', flag: 'max-upload-bytes', kind: 'value', expected: 'an integer from 1024 to 2147483647', parse: integerIn(1024, 2 ** 31 - 1), description: 'largest model file upload, in bytes' },
  { name: 'logLevel', env: 'MAAS_LOG_LEVEL', flag: 'log-level', kind: 'value', expected: `one of ${LOG_LEVELS.join(', ')}`, parse: oneOf(...LOG_LEVELS), description: 'log verbosity' },
  { name: 'shutdownTimeoutMs', env: 'MAAS_SHUTDOWN_TIMEOUT_MS', flag: 'shutdown-timeout-ms', kind: 'value', expected: 'an integer from 0 to 3600000', parse: integerIn(0, 3_600_000), description: 'grace period for in-flight requests on SIGTERM' },
  { name: 'intraOpThreads', env: 'MAAS_INTRA_OP_THREADS', flag: 'intra-op-threads', kind: 'value', expected: 'an integer from 1 to 256', parse: integerIn(1, 256), engineKey: 'intraOpThreads', description: 'ORT intra-op threads per session' },
  { name: 'interOpThreads', env: 'MAAS_INTER_OP_THREADS', flag: 'inter-op-threads', kind: 'value', expected: 'an integer from 1 to 256', parse: integerIn(1, 256), engineKey: 'interOpThreads', description: 'ORT inter-op threads per session' },
  { name: 'jobConcurrency', env: 'MAAS_JOB_CONCURRENCY', flag: 'job-concurrency', kind: 'value', expected: 'an integer from 1 to 64', parse: integerIn(1, 64), description: 'training jobs run at once (default: half the cores, at least 1)' },
  { name: 'jobLeaseMs', env: 'MAAS_JOB_LEASE_MS', flag: 'job-lease-ms', kind: 'value', expected: 'an integer from 100 to 3600000', parse: integerIn(100, 3_600_000), description: "a running job's lease; a crashed server's job resumes elsewhere after it" },
  { name: 'bootstrap', env: 'MAAS_BOOTSTRAP', flag: 'bootstrap', kind: 'value', expected: 'on or off (1/0, true/false)', parse: onOff, description: "on first start, train and serve 'mnist' (on)" },
  { name: 'adminKey', env: 'MAAS_ADMIN_KEY', flag: 'admin-key', kind: 'value', expected: 'an API key (maas_<prefix>_<secret>)', parse: nonEmptyString, description: 'admin API key to register on start (prefer the variable: flags show in ps)' },
  { name: 'auth', env: 'MAAS_AUTH', flag: 'auth', kind: 'value', expected: 'on or off (1/0, true/false)', parse: onOff, description: 'require API keys (on); --no-auth turns it off and warns' },
  { name: 'redisUrl', env: 'MAAS_REDIS_URL', flag: 'redis-url', kind: 'value', expected: 'a redis:// URL', parse: nonEmptyString, description: 'share rate limits and quotas between replicas through Redis' },
  { name: 'keyRate', env: 'MAAS_KEY_RATE', flag: 'key-rate', kind: 'value', expected: 'requests per second, a positive number', parse: positiveNumber, description: 'per-key request rate (token bucket; unlimited)' },
  { name: 'keyBurst', env: 'MAAS_KEY_BURST', flag: 'key-burst', kind: 'value', expected: 'a positive integer', parse: integerIn(1, 1_000_000), description: 'per-key burst (2 s of the rate)' },
  { name: 'modelRate', env: 'MAAS_MODEL_RATE', flag: 'model-rate', kind: 'value', expected: 'requests per second, a positive number', parse: positiveNumber, description: 'per-model inference rate over all keys (unlimited)' },
  { name: 'dailyRequests', env: 'MAAS_DAILY_REQUESTS', flag: 'daily-requests', kind: 'value', expected: 'a positive integer', parse: integerIn(1, 2 ** 31 - 1), description: 'inference requests per key per UTC day (unlimited)' },
  { name: 'dailySamples', env: 'MAAS_DAILY_SAMPLES', flag: 'daily-samples', kind: 'value', expected: 'a positive integer', parse: integerIn(1, 2 ** 31 - 1), description: 'inference samples per key per UTC day (unlimited)' },
  { name: 'maxConcurrentPerKey', env: 'MAAS_MAX_CONCURRENT_PER_KEY', flag: 'max-concurrent-per-key', kind: 'value', expected: 'a positive integer', parse: integerIn(1, 100_000), description: 'requests in flight per key (256)' },
  { name: 'metricsAccess', env: 'MAAS_METRICS_ACCESS', flag: 'metrics-access', kind: 'value', expected: 'open, scope or admin', parse: oneOf('open', 'scope', 'admin'), description: "who may read /metrics: anyone, admin or keys with the 'metrics' scope (scope), admin only" },
  { name: 'tlsCert', env: 'MAAS_TLS_CERT', flag: 'tls-cert', kind: 'path', expected: 'a PEM file path', parse: nonEmptyString, description: 'serve HTTPS and gRPC over TLS with this certificate chain' },
  { name: 'tlsKey', env: 'MAAS_TLS_KEY', flag: 'tls-key', kind: 'path', expected: 'a PEM file path', parse: nonEmptyString, description: 'the private key of --tls-cert' },
  { name: 'corsOrigins', env: 'MAAS_CORS_ORIGINS', flag: 'cors-origins', kind: 'value', expected: 'comma-separated origins or *', parse: commaList, description: 'browser origins allowed by CORS (none)' },
  { name: 'maxTensorElements', env: 'MAAS_MAX_TENSOR_ELEMENTS', flag: 'max-tensor-elements', kind: 'value', expected: 'a positive integer', parse: integerIn(1, 2 ** 31 - 1), description: 'elements per input tensor (67108864)' },
  { name: 'maxStringBytes', env: 'MAAS_MAX_STRING_BYTES', flag: 'max-string-bytes', kind: 'value', expected: 'a positive integer', parse: integerIn(1, 2 ** 31 - 1), description: 'bytes per BYTES element (1048576)' },
  { name: 'requestTimeoutMs', env: 'MAAS_REQUEST_TIMEOUT_MS', flag: 'request-timeout-ms', kind: 'value', expected: 'an integer from 0 to 3600000', parse: integerIn(0, 3_600_000), description: 'time to receive a whole HTTP request, 0: none (300000)' },
  { name: 'graphOptimizationLevel', env: 'MAAS_GRAPH_OPTIMIZATION_LEVEL', flag: 'graph-optimization-level', kind: 'value', expected: `one of ${OPTIMIZATION_LEVELS.join(', ')}`, parse: oneOf(...OPTIMIZATION_LEVELS), engineKey: 'graphOptimizationLevel', description: 'ORT graph optimisation level' },
]
