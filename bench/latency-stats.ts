/**
 * @module bench/latency-stats
 * Summarises one measured point of a closed-loop run: throughput and latency percentiles
 * (nearest-rank on the sorted sample), plus the error count that must never be hidden.
 */

/** The result of one benchmark point. Latencies are in milliseconds. */
export interface PointResult {
  readonly target: string
  readonly concurrency: number
  readonly requests: number
  readonly errors: number
  readonly firstError: string | undefined
  readonly seconds: number
  readonly throughput: number
  readonly p50: number
  readonly p99: number
}

/** Nearest-rank percentile of an ascending-sorted sample; NaN for an empty one. */
export function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))
  return sorted[rank]!
}

/** Builds a PointResult from raw latencies (unsorted, ms) of successful requests. */
export function summarisePoint(
  target: string,
  concurrency: number,
  latencies: number[],
  { errors, firstError, seconds }: { errors: number; firstError: string | undefined; seconds: number },
): PointResult {
  const sorted = Float64Array.from(latencies).sort()
  return {
    target,
    concurrency,
    requests: latencies.length,
    errors,
    firstError,
    seconds,
    throughput: latencies.length / seconds,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
  }
}

/** The point with the median throughput of several rounds (rounds damp a noisy machine). */
export function medianPoint<P extends PointResult>(rounds: readonly P[]): P {
  const sorted = [...rounds].sort((a, b) => a.throughput - b.throughput)
  const median = sorted[Math.floor((sorted.length - 1) / 2)]!
  const errors = rounds.reduce((sum, point) => sum + point.errors, 0)
  return { ...median, errors, firstError: rounds.find((point) => point.firstError)?.firstError }
}
