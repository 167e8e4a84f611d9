/**
 * @module cli/bench/server-statistics
 * The server-side breakdown from Triton's statistics extension: two cumulative snapshots
 * (REST JSON numbers or gRPC uint64 strings, normalised here) around the measured windows,
 * and per-request averages of their difference.
 */

/** A cumulative {count, ns} pair. */
export interface DurationTotal {
  readonly count: number
  readonly ns: number
}

/** The cumulative statistics of one model version at one moment. */
export interface StatisticsSnapshot {
  readonly inferenceCount: number
  readonly executionCount: number
  readonly success: DurationTotal
  readonly fail: DurationTotal
  readonly queue: DurationTotal
  readonly computeInput: DurationTotal
  readonly computeInfer: DurationTotal
  readonly computeOutput: DurationTotal
}

/** Per-request server times in microseconds over an interval, with executions and batching. */
export interface ServerBreakdown {
  /** Successful requests the server counted in the interval. */
  readonly requests: number
  readonly inferenceCount: number
  readonly executionCount: number
  /** inference_count / execution_count: how many inferences one model execution ran. */
  readonly avgBatchSize: number
  /** Whole request inside the server's data plane (success duration). */
  readonly requestUs: number
  readonly queueUs: number
  readonly computeInputUs: number
  readonly computeInferUs: number
  readonly computeOutputUs: number
  /** Client-observed average latency − (queue + compute): transport, codecs, client. */
  readonly overheadUs: number
}

/** Reads one `$model_stat` object (REST or gRPC shape). */
export function parseModelStat(stat: unknown): StatisticsSnapshot {
  const record = (stat ?? {}) as Record<string, any>
  const stats = (record.inference_stats ?? {}) as Record<string, any>
  const duration = (value: any): DurationTotal => ({ count: toNumber(value?.count), ns: toNumber(value?.ns) })
  return {
    inferenceCount: toNumber(record.inference_count),
    executionCount: toNumber(record.execution_count),
    success: duration(stats.success),
    fail: duration(stats.fail),
    queue: duration(stats.queue),
    computeInput: duration(stats.compute_input),
    computeInfer: duration(stats.compute_infer),
    computeOutput: duration(stats.compute_output),
  }
}

/** uint64 arrives as a number (REST) or a decimal string (gRPC); absent means 0. */
function toNumber(value: unknown): number {
  const number = typeof value === 'string' ? Number(value) : typeof value === 'number' ? value : 0
  return Number.isFinite(number) ? number : 0
}

/** The breakdown between `before` and `after`; `clientAvgMs` is the client's mean latency. */
export function computeBreakdown(before: StatisticsSnapshot, after: StatisticsSnapshot, clientAvgMs: number): ServerBreakdown {
  const perRequestUs = (key: 'success' | 'queue' | 'computeInput' | 'computeInfer' | 'computeOutput'): number => {
    const count = after[key].count - before[key].count
    return count > 0 ? (after[key].ns - before[key].ns) / count / 1000 : Number.NaN
  }
  const inferenceCount = after.inferenceCount - before.inferenceCount
  const executionCount = after.executionCount - before.executionCount
  const queueUs = perRequestUs('queue')
  const computeInputUs = perRequestUs('computeInput')
  const computeInferUs = perRequestUs('computeInfer')
  const computeOutputUs = perRequestUs('computeOutput')
  return {
    requests: after.success.count - before.success.count,
    inferenceCount,
    executionCount,
    avgBatchSize: executionCount > 0 ? inferenceCount / executionCount : Number.NaN,
    requestUs: perRequestUs('success'),
    queueUs,
    computeInputUs,
    computeInferUs,
    computeOutputUs,
    overheadUs: clientAvgMs * 1000 - (queueUs + computeInputUs + computeInferUs + computeOutputUs),
  }
}
