/**
 * @module bench/bounds-report
 * Prints the `bounds` suite: every target's median point with the CPU per request of the
 * load generator and of the server; for each transport target, floor ÷ echo (the most any
 * single-process Node server on that transport library reaches here) and how much maas
 * reaches of its floor, each ratio taken within a round and the median over rounds (the
 * machine's load moves between rounds); and the CPU ceiling of the CNN target.
 */
import os from 'node:os'
import { runBoundsSuite, type BoundsPoint, type BoundsResult, type BoundsTarget, type CnnCompute } from './bounds-suite.ts'
import { medianPoint } from './latency-stats.ts'
import { formatErrors, formatTable, type ReportFormat } from './report.ts'
import type { SuiteOptions } from './rest-suite.ts'

/** A ratio between targets, with its target (docs/benchmarks.md) where there is one. */
interface BoundSpec {
  readonly label: string
  readonly numerators: readonly BoundsTarget[]
  readonly denominator: BoundsTarget
  readonly target?: number
}

const FLOOR_RATIOS: readonly BoundSpec[] = [
  { label: 'floor ÷ echo binary, for maas binary ≥ 1.0×', numerators: ['floor binary', 'floor binary batched'], denominator: 'echo binary', target: 1.0 },
  { label: 'floor ÷ echo JSON, for maas JSON ≥ 0.8×', numerators: ['floor JSON', 'floor JSON scanned'], denominator: 'echo JSON', target: 0.8 },
  { label: 'floor grpc-js ÷ echo binary, for maas gRPC ≥ 1.0×', numerators: ['floor grpc-js'], denominator: 'echo binary', target: 1.0 },
  { label: 'floor http2 ÷ echo binary (gRPC without grpc-js)', numerators: ['floor http2'], denominator: 'echo binary', target: 1.0 },
]

const MAAS_RATIOS: readonly BoundSpec[] = [
  { label: 'maas binary ÷ its floor', numerators: ['maas binary'], denominator: 'floor binary batched' },
  { label: 'maas JSON ÷ its floor', numerators: ['maas JSON'], denominator: 'floor JSON scanned' },
  { label: 'maas gRPC ÷ its floor', numerators: ['maas gRPC'], denominator: 'floor grpc-js' },
]

/** The CNN target: batched maas ≥ 0.9× ORT in-process at its best batch. */
const CNN_TARGET = 0.9

export async function runBoundsReport(options: SuiteOptions, format: ReportFormat): Promise<{ text: string; failed: boolean }> {
  return formatBoundsReport(await runBoundsSuite(options), format)
}

export function formatBoundsReport(result: BoundsResult, format: ReportFormat): { text: string; failed: boolean } {
  const keys = [...new Set(result.rounds.flat().map((point) => `${point.target}@${point.concurrency}`))]
  const medians = keys.map((key) => medianPoint(result.rounds.flatMap((round) => round.filter((point) => `${point.target}@${point.concurrency}` === key))))
  const concurrencies = [...new Set(medians.map((point) => point.concurrency))]
  const measured = formatTable(
    ['target', 'conc', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'client CPU µs/req', 'server CPU µs/req'],
    medians.map((point) => [point.target, String(point.concurrency), fixed(point.throughput), fixed(point.p50, 3), fixed(point.p99, 3), String(point.errors), fixed(point.clientUs), fixed(point.serverUs)]),
    format,
  )
  const ratios = (specs: readonly BoundSpec[], verdict: boolean) =>
    formatTable(
      ['ratio (median over rounds of the ratio within a round)', 'target', ...concurrencies.map((c) => `c=${c}`)],
      specs.map((spec) => [
        spec.label,
        spec.target === undefined ? '—' : `≥ ${spec.target.toFixed(1)}×`,
        ...concurrencies.map((c) => {
          const value = medianRatio(result.rounds, spec, c)
          if (Number.isNaN(value)) return 'n/a'
          return `${value.toFixed(2)}×${verdict && spec.target !== undefined && value < spec.target ? ' (floor below target)' : ''}`
        }),
      ]),
      format,
    )
  const http = medians.find((point) => point.target === 'floor HTTP' && point.concurrency === Math.max(...concurrencies))
  const errors = formatErrors(medians)
  const text = [measured, '', ratios(FLOOR_RATIOS, true), '', ratios(MAAS_RATIOS, false), '', formatCnnCeiling(http, result.cnn, format), ...(errors ? ['', errors] : [])].join('\n')
  return { text, failed: errors !== '' }
}

const fixed = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : '—')

/** The spec's ratio within each round (best numerator ÷ denominator), median over the rounds; NaN when not measured. */
function medianRatio(rounds: readonly (readonly BoundsPoint[])[], spec: BoundSpec, concurrency: number): number {
  const values = rounds
    .map((round) => {
      const throughput = (target: BoundsTarget) => round.find((point) => point.target === target && point.concurrency === concurrency)?.throughput
      const numerators = spec.numerators.map(throughput).filter((value): value is number => value !== undefined)
      const denominator = throughput(spec.denominator)
      return numerators.length > 0 && denominator ? Math.max(...numerators) / denominator : Number.NaN
    })
    .filter((value) => !Number.isNaN(value))
    .sort((a, b) => a - b)
  return values.length > 0 ? values[Math.floor((values.length - 1) / 2)]! : Number.NaN
}

/**
 * The CNN target in CPU terms: every sample served costs at least the load generator's and
 * the floor server's CPU for one HTTP request of the same size, plus ORT's compute for one
 * sample at its best batch, and the cores cap the sum.
 */
function formatCnnCeiling(http: BoundsPoint | undefined, cnn: readonly CnnCompute[], format: ReportFormat): string {
  const best = cnn.reduce<CnnCompute | undefined>((top, compute) => (!top || compute.samplesPerSecond > top.samplesPerSecond ? compute : top), undefined)
  if (!best) return ''
  const table = formatTable(
    ['ORT in-process, seed CNN, batch', 'samples/s', 'CPU µs/sample'],
    cnn.map((compute) => [String(compute.batch), fixed(compute.samplesPerSecond), fixed(compute.cpuUsPerSample)]),
    format,
  )
  if (!http) return table
  const cores = os.availableParallelism()
  const ceiling = (cores * 1e6) / (http.clientUs + http.serverUs + best.cpuUsPerSample)
  const ratio = ceiling / best.samplesPerSecond
  return [
    table,
    '',
    `CNN ceiling: any single-process Node server on node:http, on these ${cores} cores and fed by this load generator, serves at most ` +
      `${cores} × 10⁶ / (${fixed(http.clientUs)} load generator + ${fixed(http.serverUs)} floor HTTP server at c=${http.concurrency} + ${fixed(best.cpuUsPerSample)} ORT at b=${best.batch}) µs = ` +
      `${fixed(ceiling)} samples/s = ${ratio.toFixed(2)}× ORT in-process at its best batch (target ≥ ${CNN_TARGET}×${ratio < CNN_TARGET ? ': ceiling below target' : ''}).`,
  ].join('\n')
}
