/**
 * @module cli/bench/measurement-windows
 * The closed loop: `concurrency` workers each send one request, wait for it, and send the
 * next. Time is cut into windows (by duration, or by completed-request count); a request
 * belongs to the window in which it completes. One warm-up window is discarded, then
 * windows are measured until `isDone` says the trailing ones are stable or `maxWindows`
 * is reached. `onBoundary(i)` runs at the start of measured window i and once after the
 * last (i = windows.length), so server statistics can be sampled at each boundary.
 */
import { performance } from 'node:perf_hooks'
import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import { summariseLatencies, type LatencySummary } from './latency-summary.ts'

/** One request; resolves when the response is complete, rejects on any failure. */
export type Operation = () => Promise<void>

export interface WindowPlan {
  readonly concurrency: number
  readonly intervalMs: number
  /** When set, a window ends after this many completed requests instead of after intervalMs. */
  readonly requestCount?: number
  readonly maxWindows: number
  /** Called after each measured window with all measured so far; true stops measuring. */
  readonly isDone: (windows: readonly MeasuredWindow[]) => boolean
  readonly onBoundary?: (index: number) => void
  readonly onWindow?: (window: MeasuredWindow) => void
}

/** One measured window: its requests' latencies (ms) and the summary of them. */
export interface MeasuredWindow extends LatencySummary {
  readonly index: number
  readonly durationMs: number
  readonly requests: number
  readonly errors: number
  readonly firstError: string | undefined
  /** Completed requests per second. */
  readonly throughput: number
  readonly latencies: readonly number[]
}

/** The warm-up window (its errors still count), the measured ones, and whether isDone stopped the loop. */
export interface WindowsResult {
  readonly warmup: MeasuredWindow
  readonly windows: MeasuredWindow[]
  readonly done: boolean
}

interface Recorder {
  readonly start: number
  readonly latencies: number[]
  errors: number
  firstError: string | undefined
}

/** Runs the closed loop; see WindowsResult. */
export async function measureWindows(operation: Operation, plan: WindowPlan): Promise<WindowsResult> {
  const newRecorder = (): Recorder => ({ start: performance.now(), latencies: [], errors: 0, firstError: undefined })
  let current = newRecorder()
  let running = true
  let onCountReached: (() => void) | undefined
  const settle = (recorder: Recorder): void => {
    if (onCountReached && plan.requestCount !== undefined && recorder.latencies.length + recorder.errors >= plan.requestCount) onCountReached()
  }
  const worker = async (): Promise<void> => {
    while (running) {
      const start = performance.now()
      try {
        await operation()
        current.latencies.push(performance.now() - start)
      } catch (error) {
        current.errors++
        current.firstError ??= (error as Error).message
        // A request that fails at once must not starve the timers that end the window.
        await yieldToEventLoop()
      }
      settle(current)
    }
  }
  const endOfWindow = (): Promise<void> =>
    new Promise((resolve) => {
      if (plan.requestCount === undefined) {
        setTimeout(resolve, plan.intervalMs)
        return
      }
      onCountReached = () => {
        onCountReached = undefined
        resolve()
      }
    })
  const closeWindow = (index: number): MeasuredWindow => {
    const recorder = current
    current = newRecorder()
    const durationMs = current.start - recorder.start
    return {
      index,
      durationMs,
      requests: recorder.latencies.length,
      errors: recorder.errors,
      firstError: recorder.firstError,
      throughput: recorder.latencies.length / (durationMs / 1000),
      latencies: recorder.latencies,
      ...summariseLatencies(recorder.latencies),
    }
  }

  const workers = Array.from({ length: plan.concurrency }, worker)
  const windows: MeasuredWindow[] = []
  let done = false
  let warmup: MeasuredWindow
  try {
    await endOfWindow()
    warmup = closeWindow(-1)
    while (!done && windows.length < plan.maxWindows) {
      plan.onBoundary?.(windows.length)
      await endOfWindow()
      const window = closeWindow(windows.length)
      windows.push(window)
      plan.onWindow?.(window)
      done = plan.isDone(windows)
    }
    plan.onBoundary?.(windows.length)
  } finally {
    running = false
    await Promise.all(workers)
  }
  return { warmup, windows, done }
}

/** The windows merged into one: total requests over total duration, latencies pooled. */
export function mergeWindows(windows: readonly MeasuredWindow[]): Omit<MeasuredWindow, 'index' | 'latencies'> {
  const latencies = windows.flatMap((window) => window.latencies)
  const durationMs = windows.reduce((total, window) => total + window.durationMs, 0)
  return {
    durationMs,
    requests: latencies.length,
    errors: windows.reduce((total, window) => total + window.errors, 0),
    firstError: windows.find((window) => window.firstError !== undefined)?.firstError,
    throughput: durationMs > 0 ? latencies.length / (durationMs / 1000) : Number.NaN,
    ...summariseLatencies(latencies),
  }
}
