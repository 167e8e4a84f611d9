/**
 * @module bench/model-stats-window
 * What the server says about one measured window, from Triton's statistics extension
 * (`GET /v2/models/{m}/versions/{v}/stats`) read before and after it: requests, executions,
 * realised batch sizes, and queue / compute time per request and per execution.
 */

interface Duration {
  count: number
  ns: number
}

/** The cumulative counters the suite reads (REST JSON shape). */
export interface ModelStatsSnapshot {
  readonly inferenceCount: number
  readonly executionCount: number
  readonly success: Duration
  readonly queue: Duration
  /** compute_input + compute_infer + compute_output, per request (a batch's time counts for each of its requests). */
  readonly compute: Duration
  /** Executions and their summed compute time, by realised batch size. */
  readonly batches: ReadonlyMap<number, Duration>
}

/** Per-window figures; times in microseconds. */
export interface ModelStatsWindow {
  readonly requests: number
  readonly executions: number
  /** inference_count / execution_count. */
  readonly avgBatch: number
  /** The most frequent realised batch sizes, as `size×executions`. */
  readonly topBatches: string
  /** Mean request time inside the data plane (the statistics' success duration). */
  readonly successUs: number
  readonly queueUs: number
  /** Mean compute time per request (whole batch's compute, as Triton attributes it). */
  readonly computePerRequestUs: number
  /** Mean compute time of one execution. */
  readonly computePerExecutionUs: number
}

export async function readModelStats(port: number, model: string, version = '1'): Promise<ModelStatsSnapshot> {
  const response = await fetch(`http://127.0.0.1:${port}/v2/models/${model}/versions/${version}/stats`)
  if (response.status !== 200) throw new Error(`statistics of ${model}: HTTP ${response.status}`)
  const stat = ((await response.json()) as { model_stats: any[] }).model_stats[0]
  const stats = stat.inference_stats
  const sum = (...durations: Duration[]): Duration => ({ count: durations[0]!.count, ns: durations.reduce((total, duration) => total + duration.ns, 0) })
  return {
    inferenceCount: stat.inference_count,
    executionCount: stat.execution_count,
    success: stats.success,
    queue: stats.queue,
    compute: sum(stats.compute_input, stats.compute_infer, stats.compute_output),
    batches: new Map(
      (stat.batch_stats as any[]).map((batch) => [batch.batch_size as number, sum(batch.compute_input, batch.compute_infer, batch.compute_output)]),
    ),
  }
}

export function diffModelStats(before: ModelStatsSnapshot, after: ModelStatsSnapshot): ModelStatsWindow {
  const meanUs = (a: Duration, b: Duration): number => (b.count > a.count ? (b.ns - a.ns) / (b.count - a.count) / 1000 : Number.NaN)
  const executions = after.executionCount - before.executionCount
  const inferences = after.inferenceCount - before.inferenceCount
  let executionNs = 0
  const bySize: [number, number][] = []
  for (const [size, duration] of after.batches) {
    const earlier = before.batches.get(size) ?? { count: 0, ns: 0 }
    if (duration.count > earlier.count) bySize.push([size, duration.count - earlier.count])
    executionNs += duration.ns - earlier.ns
  }
  const topBatches = bySize
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([size, count]) => `${size}×${count}`)
    .join(' ')
  return {
    requests: after.success.count - before.success.count,
    executions,
    avgBatch: executions > 0 ? inferences / executions : Number.NaN,
    topBatches,
    successUs: meanUs(before.success, after.success),
    queueUs: meanUs(before.queue, after.queue),
    computePerRequestUs: meanUs(before.compute, after.compute),
    computePerExecutionUs: executions > 0 ? executionNs / executions / 1000 : Number.NaN,
  }
}
