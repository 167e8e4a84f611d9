/**
 * @module cli/bench/bench-runner
 * The sweep behind `maas bench`: reads the model's metadata, generates its inputs, checks
 * one request, then for each concurrency runs the windowed closed loop, sampling the
 * server's statistics at every window boundary, and reports the last three windows.
 */
import { BenchSetupError } from './bench-setup-error.ts'
import { latestVersion, type BenchDriver, type InferTarget } from './bench-driver.ts'
import type { BenchOptions } from './bench-options.ts'
import type { BenchReport, ConcurrencyResult } from './bench-report.ts'
import { GrpcBenchDriver } from './grpc-bench-driver.ts'
import { generateInputs } from './input-generator.ts'
import { measureWindows, mergeWindows, type MeasuredWindow } from './measurement-windows.ts'
import { RestBenchDriver } from './rest-bench-driver.ts'
import { computeBreakdown, type StatisticsSnapshot } from './server-statistics.ts'
import { isStable, type StabilityCriteria } from './stability-rule.ts'

/** Progress lines go here (stderr in the CLI). */
export type ProgressSink = (line: string) => void

/** The driver for `options.protocol`. */
export function createBenchDriver(options: BenchOptions): BenchDriver {
  return options.protocol === 'grpc'
    ? new GrpcBenchDriver(options.url, { channels: options.grpcChannels })
    : new RestBenchDriver(options.url, { binary: options.protocol === 'rest-binary' })
}

/** Runs the whole sweep against `driver`; throws BenchSetupError before measuring if it cannot start. */
export async function runBenchSweep(driver: BenchDriver, options: BenchOptions, progress: ProgressSink = () => {}): Promise<BenchReport> {
  const metadata = await driver.modelMetadata(options.model, options.modelVersion)
  const version = options.modelVersion ?? latestVersion(metadata)
  const inputs = generateInputs(metadata.inputs, options)
  const target: InferTarget = { model: options.model, version, inputs }
  await checkOneRequest(driver, target)
  const leading = metadata.inputs[0]?.shape[0] === -1 ? inputs[0]?.shape[0] : undefined
  const inferencesPerRequest = leading ?? 1
  const criteria: StabilityCriteria = { windows: 3, throughputTolerance: options.throughputTolerance, p99Tolerance: options.p99Tolerance }
  const results: ConcurrencyResult[] = []
  for (const concurrency of options.concurrencies) {
    const result = await measureConcurrency(driver, target, concurrency, options, criteria, inferencesPerRequest, progress)
    progress(
      `c=${concurrency}: ${result.throughput.toFixed(0)} infer/s, p99 ${result.latency.p99.toFixed(3)} ms, ` +
        `${result.stable ? 'stable' : 'UNSTABLE'} after ${result.windows} windows${result.errors ? `, ${result.errors} ERRORS` : ''}`,
    )
    results.push(result)
  }
  return {
    model: options.model,
    version,
    protocol: options.protocol,
    endpoint: driver.endpoint,
    batchSize: inferencesPerRequest,
    inputs: inputs.map(({ name, datatype, shape }) => ({ name, datatype, shape })),
    measurement: {
      intervalMs: options.measurementIntervalMs,
      requestCount: options.requestCount,
      maxWindows: options.maxWindows,
      throughputTolerance: options.throughputTolerance,
      p99Tolerance: options.p99Tolerance,
    },
    results,
  }
}

async function measureConcurrency(
  driver: BenchDriver,
  target: InferTarget,
  concurrency: number,
  options: BenchOptions,
  criteria: StabilityCriteria,
  inferencesPerRequest: number,
  progress: ProgressSink,
): Promise<ConcurrencyResult> {
  const snapshots: Promise<StatisticsSnapshot | undefined>[] = []
  const load = driver.createLoad(target, concurrency)
  let outcome
  try {
    outcome = await measureWindows(load.operation, {
      concurrency,
      intervalMs: options.measurementIntervalMs,
      requestCount: options.requestCount,
      maxWindows: options.maxWindows,
      isDone: (windows) => isStable(windows, criteria),
      // A server without the statistics extension still gets a client-side report.
      onBoundary: () => snapshots.push(driver.modelStatistics(target.model, target.version).catch(() => undefined)),
      onWindow: options.verbose ? (window) => progress(describeWindow(concurrency, window)) : undefined,
    })
  } finally {
    load.release()
  }
  const { warmup, windows, done } = outcome
  const reported = windows.slice(-criteria.windows)
  const first = windows.length - reported.length
  const [before, after] = await Promise.all([snapshots[first], snapshots[windows.length]])
  const merged = mergeWindows(reported)
  const errors = [warmup, ...windows].reduce((total, window) => total + window.errors, 0)
  return {
    concurrency,
    stable: done,
    windows: windows.length,
    requests: merged.requests,
    errors,
    firstError: warmup.firstError ?? windows.find((window) => window.firstError)?.firstError,
    throughput: merged.throughput * inferencesPerRequest,
    latency: { avg: merged.avg, p50: merged.p50, p90: merged.p90, p95: merged.p95, p99: merged.p99 },
    server: before && after ? computeBreakdown(before, after, merged.avg) : undefined,
  }
}

function describeWindow(concurrency: number, window: MeasuredWindow): string {
  return (
    `  c=${concurrency} window ${window.index + 1}: ${window.throughput.toFixed(0)} req/s over ${window.durationMs.toFixed(0)} ms, ` +
    `p50 ${window.p50.toFixed(3)} ms, p99 ${window.p99.toFixed(3)} ms${window.errors ? `, ${window.errors} errors` : ''}`
  )
}

/** One request before any load, so a wrong shape or a broken model stops with the server's message. */
async function checkOneRequest(driver: BenchDriver, target: InferTarget): Promise<void> {
  const load = driver.createLoad(target, 1)
  try {
    await load.operation()
  } catch (error) {
    throw new BenchSetupError(`the first request to ${target.model} v${target.version} failed: ${(error as Error).message}`)
  } finally {
    load.release()
  }
}
