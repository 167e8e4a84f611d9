/**
 * @module cli/bench/stability-rule
 * When to stop measuring: the last three windows are stable when each one's throughput is
 * within ±throughputTolerance of their mean, and each one's p99 within ±p99Tolerance of
 * theirs. p99 gets the looser bound (25 % by default) because a few slow requests move it
 * far more than they move throughput; a 10 % bound on it would rarely be met on a shared
 * machine. A window with no completed request is never stable.
 */

/** The two numbers of a window the rule looks at. */
export interface WindowMetrics {
  readonly throughput: number
  readonly p99: number
}

export interface StabilityCriteria {
  /** How many trailing windows must agree (3). */
  readonly windows: number
  readonly throughputTolerance: number
  readonly p99Tolerance: number
}

export const DEFAULT_STABILITY: StabilityCriteria = Object.freeze({ windows: 3, throughputTolerance: 0.1, p99Tolerance: 0.25 })

/** True when the trailing `criteria.windows` windows agree within the tolerances. */
export function isStable(windows: readonly WindowMetrics[], criteria: StabilityCriteria = DEFAULT_STABILITY): boolean {
  if (windows.length < criteria.windows) return false
  const last = windows.slice(-criteria.windows)
  return (
    agree(last.map((window) => window.throughput), criteria.throughputTolerance) &&
    agree(last.map((window) => window.p99), criteria.p99Tolerance)
  )
}

/** Every value within ±tolerance of the mean, and the mean positive and finite. */
function agree(values: readonly number[], tolerance: number): boolean {
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length
  if (!(Number.isFinite(mean) && mean > 0)) return false
  return values.every((value) => Math.abs(value - mean) <= tolerance * mean)
}
