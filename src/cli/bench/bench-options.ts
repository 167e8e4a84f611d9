/**
 * @module cli/bench/bench-options
 * The command line of `maas bench`: flags and their defaults, validated into one frozen
 * BenchOptions. Nothing here talks to a server.
 */
import { parseArgs } from 'node:util'
import { BenchUsageError } from './bench-setup-error.ts'

export const PROTOCOLS = ['rest', 'rest-binary', 'grpc'] as const
export type BenchProtocol = (typeof PROTOCOLS)[number]

export const FORMATS = ['table', 'csv', 'json'] as const
export type BenchFormat = (typeof FORMATS)[number]

export const BENCH_USAGE = `usage: maas bench MODEL [options]

Closed-loop load against a running maas (or any KServe v2 / Triton server): for each
concurrency, N workers send requests back to back; after one warm-up window it measures
windows until the last three agree (throughput within ±stability %, p99 within
±latency-stability %) or --max-windows is reached ("unstable"), then reports throughput,
latency percentiles and the server-side breakdown from the statistics extension.

options:
  --protocol rest|rest-binary|grpc     JSON, binary tensor extension, or gRPC raw contents (rest)
  -u, --url URL                        server: http://host:port for REST (http://127.0.0.1:8000),
                                       host:port for gRPC (127.0.0.1:8001)
  --model-version V                    version to benchmark (default: the highest the server lists)
  -c, --concurrency LIST               comma-separated worker counts (1,4,16,64)
  -b, --batch-size N                   value of a leading -1 (batch) dimension (1)
  --shape NAME:D1,D2,...               shape of an input with dynamic dimensions; without the
                                       batch dimension it gets --batch-size prepended (repeatable)
  --measurement-interval MS            window length (2000)
  --request-count N                    end each window after N requests instead of after MS
  --max-windows N                      measured windows per concurrency before giving up (10)
  --stability-percentage P             throughput tolerance of the last three windows (10)
  --latency-stability-percentage P     p99 tolerance of the last three windows (25)
  --grpc-channels N                    gRPC connections (default: one per 16 workers, at most 4)
  --format table|csv|json              output format (table)
  -o, --output FILE                    write the report to FILE instead of stdout
  --allow-errors                       exit 0 even when requests failed
  -v, --verbose                        print every window on stderr
  -h, --help                           show this help

exit codes: 0 done; 1 some requests failed (unless --allow-errors); 2 bad command line,
server unreachable, unknown model or inputs that cannot be generated`

/** Everything `maas bench` needs to know, validated. */
export interface BenchOptions {
  readonly model: string
  readonly modelVersion: string | undefined
  readonly protocol: BenchProtocol
  readonly url: string | undefined
  readonly concurrencies: readonly number[]
  readonly batchSize: number
  /** Input name → the dimensions given with --shape. */
  readonly shapes: ReadonlyMap<string, readonly number[]>
  readonly measurementIntervalMs: number
  readonly requestCount: number | undefined
  readonly maxWindows: number
  /** Fractions, e.g. 0.1 for 10 %. */
  readonly throughputTolerance: number
  readonly p99Tolerance: number
  readonly grpcChannels: number | undefined
  readonly format: BenchFormat
  readonly output: string | undefined
  readonly allowErrors: boolean
  readonly verbose: boolean
}

/** `undefined` for --help; throws BenchUsageError for anything it cannot accept. */
export function parseBenchOptions(argv: readonly string[]): BenchOptions | undefined {
  let parsed
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        protocol: { type: 'string', default: 'rest' },
        url: { type: 'string', short: 'u' },
        'model-version': { type: 'string' },
        concurrency: { type: 'string', short: 'c', default: '1,4,16,64' },
        'batch-size': { type: 'string', short: 'b', default: '1' },
        shape: { type: 'string', multiple: true, default: [] },
        'measurement-interval': { type: 'string', default: '2000' },
        'request-count': { type: 'string' },
        'max-windows': { type: 'string', default: '10' },
        'stability-percentage': { type: 'string', default: '10' },
        'latency-stability-percentage': { type: 'string', default: '25' },
        'grpc-channels': { type: 'string' },
        format: { type: 'string', default: 'table' },
        output: { type: 'string', short: 'o' },
        'allow-errors': { type: 'boolean', default: false },
        verbose: { type: 'boolean', short: 'v', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    })
  } catch (error) {
    throw new BenchUsageError((error as Error).message)
  }
  const { values, positionals } = parsed
  if (values.help) return undefined
  if (positionals.length !== 1) throw new BenchUsageError(positionals.length === 0 ? 'MODEL is required' : `one MODEL expected, got ${positionals.join(' ')}`)
  const requestCount = values['request-count'] === undefined ? undefined : positiveInteger('request-count', values['request-count'])
  const grpcChannels = values['grpc-channels'] === undefined ? undefined : positiveInteger('grpc-channels', values['grpc-channels'])
  return Object.freeze({
    model: positionals[0]!,
    modelVersion: values['model-version'],
    protocol: oneOf('protocol', values.protocol, PROTOCOLS),
    url: values.url,
    concurrencies: Object.freeze(integerList('concurrency', values.concurrency)),
    batchSize: positiveInteger('batch-size', values['batch-size']),
    shapes: parseShapes(values.shape),
    measurementIntervalMs: positiveInteger('measurement-interval', values['measurement-interval']),
    requestCount,
    maxWindows: atLeastThree('max-windows', values['max-windows']),
    throughputTolerance: percentage('stability-percentage', values['stability-percentage']),
    p99Tolerance: percentage('latency-stability-percentage', values['latency-stability-percentage']),
    grpcChannels,
    format: oneOf('format', values.format, FORMATS),
    output: values.output,
    allowErrors: values['allow-errors'],
    verbose: values.verbose,
  })
}

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T
  throw new BenchUsageError(`--${flag} must be one of ${allowed.join(', ')}; got '${value}'`)
}

function positiveInteger(flag: string, value: string): number {
  const number = Number(value)
  if (/^\d+$/.test(value.trim()) && Number.isSafeInteger(number) && number > 0) return number
  throw new BenchUsageError(`--${flag} must be a positive integer; got '${value}'`)
}

/** The stability rule compares three windows, so fewer can never be stable. */
function atLeastThree(flag: string, value: string): number {
  const number = positiveInteger(flag, value)
  if (number >= 3) return number
  throw new BenchUsageError(`--${flag} must be at least 3 (the stability rule compares the last three windows); got ${number}`)
}

function percentage(flag: string, value: string): number {
  const number = Number(value)
  if (value.trim() !== '' && Number.isFinite(number) && number > 0 && number <= 100) return number / 100
  throw new BenchUsageError(`--${flag} must be a number in (0, 100]; got '${value}'`)
}

function integerList(flag: string, value: string): number[] {
  const items = value.split(',').map((item) => item.trim())
  if (items.some((item) => item === '')) throw new BenchUsageError(`--${flag} must be a comma-separated list of positive integers; got '${value}'`)
  return items.map((item) => positiveInteger(flag, item))
}

/** `NAME:D1,D2,...` (the name may itself contain ':'; the last one separates). */
function parseShapes(specs: readonly string[]): ReadonlyMap<string, readonly number[]> {
  const shapes = new Map<string, readonly number[]>()
  for (const spec of specs) {
    const colon = spec.lastIndexOf(':')
    if (colon <= 0) throw new BenchUsageError(`--shape must look like NAME:D1,D2,...; got '${spec}'`)
    shapes.set(spec.slice(0, colon), Object.freeze(integerList('shape', spec.slice(colon + 1))))
  }
  return shapes
}
