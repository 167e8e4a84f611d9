/**
 * @module cli/bench/bench-report
 * The result of a sweep and its three renderings: a table for people, CSV (one row per
 * concurrency) and JSON (snake_case, NaN as null) for scripts.
 */
import type { BenchProtocol } from './bench-options.ts'
import type { LatencySummary } from './latency-summary.ts'
import type { ServerBreakdown } from './server-statistics.ts'

/** One concurrency level, over the reported (last three) windows. */
export interface ConcurrencyResult {
  readonly concurrency: number
  /** The stability rule was met before --max-windows. */
  readonly stable: boolean
  /** Measured windows (the warm-up not counted). */
  readonly windows: number
  /** Successful requests in the reported windows. */
  readonly requests: number
  /** Failed requests in every window, warm-up included. */
  readonly errors: number
  readonly firstError: string | undefined
  /** Inferences per second: requests per second × inferences per request (the batch size). */
  readonly throughput: number
  /** Client-side latency, milliseconds. */
  readonly latency: LatencySummary
  /** Undefined when the server's statistics could not be read. */
  readonly server: ServerBreakdown | undefined
}

export interface BenchReport {
  readonly model: string
  readonly version: string
  readonly protocol: BenchProtocol
  readonly endpoint: string
  readonly batchSize: number
  readonly inputs: readonly { readonly name: string; readonly datatype: string; readonly shape: readonly number[] }[]
  readonly measurement: {
    readonly intervalMs: number
    readonly requestCount: number | undefined
    readonly maxWindows: number
    readonly throughputTolerance: number
    readonly p99Tolerance: number
  }
  readonly results: readonly ConcurrencyResult[]
}

const finite = (value: number): number | null => (Number.isFinite(value) ? Math.round(value * 1000) / 1000 : null)

/** JSON for scripts: snake_case keys, numbers rounded to 3 decimals, NaN as null. */
export function formatJson(report: BenchReport): string {
  const { measurement } = report
  return JSON.stringify(
    {
      model: report.model,
      version: report.version,
      protocol: report.protocol,
      endpoint: report.endpoint,
      batch_size: report.batchSize,
      inputs: report.inputs,
      measurement: {
        interval_ms: measurement.intervalMs,
        request_count: measurement.requestCount ?? null,
        max_windows: measurement.maxWindows,
        stability_percentage: measurement.throughputTolerance * 100,
        latency_stability_percentage: measurement.p99Tolerance * 100,
      },
      results: report.results.map((result) => ({
        concurrency: result.concurrency,
        stable: result.stable,
        windows: result.windows,
        requests: result.requests,
        errors: result.errors,
        first_error: result.firstError ?? null,
        throughput: finite(result.throughput),
        latency_ms: Object.fromEntries(Object.entries(result.latency).map(([key, value]) => [key, finite(value)])),
        server: result.server === undefined ? null : serverJson(result.server),
      })),
    },
    null,
    2,
  )
}

function serverJson(server: ServerBreakdown) {
  return {
    requests: server.requests,
    inference_count: server.inferenceCount,
    execution_count: server.executionCount,
    avg_batch_size: finite(server.avgBatchSize),
    request_us: finite(server.requestUs),
    queue_us: finite(server.queueUs),
    compute_input_us: finite(server.computeInputUs),
    compute_infer_us: finite(server.computeInferUs),
    compute_output_us: finite(server.computeOutputUs),
    overhead_us: finite(server.overheadUs),
  }
}

const CSV_HEADER = [
  'concurrency', 'stable', 'windows', 'requests', 'errors', 'throughput_infer_per_s',
  'latency_avg_ms', 'latency_p50_ms', 'latency_p90_ms', 'latency_p95_ms', 'latency_p99_ms',
  'server_queue_us', 'server_compute_input_us', 'server_compute_infer_us', 'server_compute_output_us',
  'server_overhead_us', 'server_execution_count', 'server_avg_batch_size',
]

/** CSV: a header and one row per concurrency; empty cells for missing values. */
export function formatCsv(report: BenchReport): string {
  const cell = (value: number | undefined): string => (value === undefined || !Number.isFinite(value) ? '' : String(Math.round(value * 1000) / 1000))
  const rows = report.results.map((result) => {
    const { latency, server } = result
    return [
      String(result.concurrency), String(result.stable), String(result.windows), String(result.requests), String(result.errors),
      cell(result.throughput), cell(latency.avg), cell(latency.p50), cell(latency.p90), cell(latency.p95), cell(latency.p99),
      cell(server?.queueUs), cell(server?.computeInputUs), cell(server?.computeInferUs), cell(server?.computeOutputUs),
      cell(server?.overheadUs), cell(server?.executionCount), cell(server?.avgBatchSize),
    ].join(',')
  })
  return [CSV_HEADER.join(','), ...rows].join('\n')
}

const TABLE_HEADER = ['conc', 'infer/s', 'avg ms', 'p50 ms', 'p90 ms', 'p95 ms', 'p99 ms', 'errors', 'stable', 'queue µs', 'input µs', 'infer µs', 'output µs', 'overhead µs', 'execs', 'batch']

/** The human table, with a line saying what was measured and one per failing concurrency. */
export function formatTable(report: BenchReport): string {
  const fixed = (value: number | undefined, digits: number): string => (value === undefined || !Number.isFinite(value) ? '—' : value.toFixed(digits))
  const rows = report.results.map(({ concurrency, throughput, latency, errors, stable, windows, server }) => [
    String(concurrency), fixed(throughput, 0), fixed(latency.avg, 3), fixed(latency.p50, 3), fixed(latency.p90, 3), fixed(latency.p95, 3), fixed(latency.p99, 3),
    errors === 0 ? '0' : `${errors} !!`, stable ? `yes (${windows})` : `UNSTABLE (${windows})`,
    fixed(server?.queueUs, 1), fixed(server?.computeInputUs, 1), fixed(server?.computeInferUs, 1), fixed(server?.computeOutputUs, 1),
    fixed(server?.overheadUs, 1), fixed(server?.executionCount, 0), fixed(server?.avgBatchSize, 2),
  ])
  const widths = TABLE_HEADER.map((cell, column) => Math.max(cell.length, ...rows.map((row) => row[column]!.length)))
  const line = (row: readonly string[]) => row.map((cell, column) => (column === 8 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ').trimEnd()
  const inputs = report.inputs.map((input) => `${input.name} ${input.datatype} [${input.shape.join(',')}]`).join(', ')
  const { measurement } = report
  const window = measurement.requestCount === undefined ? `${measurement.intervalMs} ms windows` : `${measurement.requestCount}-request windows`
  const failures = report.results.filter((result) => result.errors > 0).map((result) => `c=${result.concurrency}: ${result.errors} failed requests, first: ${result.firstError}`)
  return [
    `${report.model} v${report.version} over ${report.protocol} at ${report.endpoint}; inputs ${inputs}; ${window}, ` +
      `stable = last 3 within ±${measurement.throughputTolerance * 100}% throughput and ±${measurement.p99Tolerance * 100}% p99`,
    '',
    line(TABLE_HEADER),
    line(widths.map((width) => '-'.repeat(width))),
    ...rows.map(line),
    ...(failures.length > 0 ? ['', ...failures] : []),
  ].join('\n')
}
