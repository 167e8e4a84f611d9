/**
 * @module cli/bench/latency-summary
 * Latency statistics of a set of requests: nearest-rank percentiles (the value at rank
 * ceil(p·n) of the sorted sample, as perf_analyzer reports them) and the mean.
 */

/** Latency statistics in milliseconds; NaN when there were no requests. */
export interface LatencySummary {
  readonly avg: number
  readonly p50: number
  readonly p90: number
  readonly p95: number
  readonly p99: number
}

/** Nearest-rank percentile of an ascending-sorted sample; NaN for an empty one. */
export function percentile(sorted: ArrayLike<number>, fraction: number): number {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))
  return sorted[rank]!
}

/** Summarises unsorted latencies (ms); does not modify `latencies`. */
export function summariseLatencies(latencies: ArrayLike<number>): LatencySummary {
  const sorted = Float64Array.from(latencies).sort()
  let total = 0
  for (const latency of sorted) total += latency
  return {
    avg: sorted.length === 0 ? Number.NaN : total / sorted.length,
    p50: percentile(sorted, 0.5),
    p90: percentile(sorted, 0.9),
    p95: percentile(sorted, 0.95),
    p99: percentile(sorted, 0.99),
  }
}
