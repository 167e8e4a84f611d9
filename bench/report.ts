/**
 * @module bench/report
 * Prints a suite's points as a table and the ratios between targets, as plain text or as
 * markdown ready for docs/benchmarks.md. Errors are shown in the table and in a banner.
 */
import type { PointResult } from './latency-stats.ts'
import type { RatioSpec } from './rest-suite.ts'

export type ReportFormat = 'text' | 'markdown'

/** The points table: one row per (concurrency, target). */
export function formatPoints(points: readonly PointResult[], format: ReportFormat): string {
  const header = ['conc', 'target', 'req/s', 'p50 ms', 'p99 ms', 'requests', 'errors']
  const rows = points.map((point) => [
    String(point.concurrency),
    point.target,
    point.throughput.toFixed(0),
    point.p50.toFixed(3),
    point.p99.toFixed(3),
    String(point.requests),
    point.errors === 0 ? '0' : `${point.errors} !!!`,
  ])
  return formatTable(header, rows, format)
}

/** Ratios of throughput per concurrency, with met/MISSED against their targets. */
export function formatRatios(points: readonly PointResult[], specs: readonly RatioSpec[], format: ReportFormat): string {
  const concurrencies = [...new Set(points.map((point) => point.concurrency))]
  const throughputOf = (target: string, concurrency: number): number =>
    points.find((point) => point.target === target && point.concurrency === concurrency)?.throughput ?? Number.NaN
  const header = ['ratio (throughput)', 'target', ...concurrencies.map((concurrency) => `c=${concurrency}`)]
  const rows = specs.map((spec) => [
    spec.label,
    spec.target === undefined ? '—' : `≥ ${spec.target.toFixed(1)}×`,
    ...concurrencies.map((concurrency) => {
      const ratio = throughputOf(spec.numerator, concurrency) / throughputOf(spec.denominator, concurrency)
      if (Number.isNaN(ratio)) return 'n/a'
      const verdict = spec.target === undefined ? '' : ratio >= spec.target ? ' met' : ' MISSED'
      return `${ratio.toFixed(2)}×${verdict}`
    }),
  ])
  return formatTable(header, rows, format)
}

/** A loud banner when any point had errors; empty otherwise. */
export function formatErrors(points: readonly PointResult[]): string {
  const failed = points.filter((point) => point.errors > 0)
  if (failed.length === 0) return ''
  const lines = failed.map((point) => `  ${point.target} c=${point.concurrency}: ${point.errors} errors, first: ${point.firstError}`)
  return ['!!!!!!!! BENCHMARK HAD ERRORS — results are not valid !!!!!!!!', ...lines].join('\n')
}

export function formatTable(header: readonly string[], rows: readonly (readonly string[])[], format: ReportFormat): string {
  const numeric = header.map((_, column) => rows.every((row) => /^[\d.]/.test(row[column] ?? '')))
  if (format === 'markdown') {
    const rule = numeric.map((isNumeric) => (isNumeric ? '---:' : '---'))
    return [header, rule, ...rows].map((row) => `| ${row.join(' | ')} |`).join('\n')
  }
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => row[column]!.length)))
  const line = (row: readonly string[]): string =>
    row.map((cell, column) => (numeric[column] ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join('  ')
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n')
}
