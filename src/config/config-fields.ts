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
  { name: 'maxBodyBytes', env: 'MAAS_MAX_BODY_BYTES', flag: 'max-body-bytes', kind: 'value', expected: 'an integer from 1024 to 2147483647', parse: integerIn(1024, 2 ** 31 - 1), description: 'largest request body, in bytes' },
  { name: 'logLevel', env: 'MAAS_LOG_LEVEL', flag: 'log-level', kind: 'value', expected: `one of ${LOG_LEVELS.join(', ')}`, parse: oneOf(...LOG_LEVELS), description: 'log verbosity' },
  { name: 'shutdownTimeoutMs', env: 'MAAS_SHUTDOWN_TIMEOUT_MS', flag: 'shutdown-timeout-ms', kind: 'value', expected: 'an integer from 0 to 3600000', parse: integerIn(0, 3_600_000), description: 'grace period for in-flight requests on SIGTERM' },
  { name: 'intraOpThreads', env: 'MAAS_INTRA_OP_THREADS', flag: 'intra-op-threads', kind: 'value', expected: 'an integer from 1 to 256', parse: integerIn(1, 256), engineKey: 'intraOpThreads', description: 'ORT intra-op threads per session' },
  { name: 'interOpThreads', env: 'MAAS_INTER_OP_THREADS', flag: 'inter-op-threads', kind: 'value', expected: 'an integer from 1 to 256', parse: integerIn(1, 256), engineKey: 'interOpThreads', description: 'ORT inter-op threads per session' },
  { name: 'graphOptimizationLevel', env: 'MAAS_GRAPH_OPTIMIZATION_LEVEL', flag: 'graph-optimization-level', kind: 'value', expected: `one of ${OPTIMIZATION_LEVELS.join(', ')}`, parse: oneOf(...OPTIMIZATION_LEVELS), engineKey: 'graphOptimizationLevel', description: 'ORT graph optimisation level' },
]
