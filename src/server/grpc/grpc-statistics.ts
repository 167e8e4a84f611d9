/**
 * @module server/grpc/grpc-statistics
 * Triton's statistics extension over gRPC: the shape the data plane reports per model
 * version (a mirror of Triton's JSON) and its encoding as ModelStatisticsResponse.
 * The data plane may not offer statistics; statisticsSourceOf says so at run time.
 */

/** A cumulative count and duration, as Triton's StatisticDuration. */
export interface StatisticDuration {
  readonly count: number
  readonly ns: number
}

/** Statistics of one model version, as DataPlane.modelStatistics() reports them. */
export interface ModelStatistics {
  readonly name: string
  readonly version: string
  /** Milliseconds since the epoch; 0 before the first inference. */
  readonly lastInference: number
  readonly inferenceCount: number
  readonly executionCount: number
  readonly inferenceStats: {
    readonly success: StatisticDuration
    readonly fail: StatisticDuration
    readonly queue: StatisticDuration
    readonly computeInput: StatisticDuration
    readonly computeInfer: StatisticDuration
    readonly computeOutput: StatisticDuration
  }
  readonly batchStats: readonly {
    readonly batchSize: number
    readonly computeInput: StatisticDuration
    readonly computeInfer: StatisticDuration
    readonly computeOutput: StatisticDuration
  }[]
}

/** What the ModelStatistics RPC needs of the data plane. */
export interface StatisticsSource {
  modelStatistics(name?: string, version?: string): readonly ModelStatistics[] | Promise<readonly ModelStatistics[]>
}

/** The data plane as a StatisticsSource, or undefined when it has no modelStatistics(). */
export function statisticsSourceOf(dataPlane: object): StatisticsSource | undefined {
  const candidate = dataPlane as Partial<StatisticsSource>
  return typeof candidate.modelStatistics === 'function' ? (candidate as StatisticsSource) : undefined
}

/** uint64 fields: whole, non-negative numbers. */
function whole(value: number): number {
  return Number.isFinite(value) && value > 0 ? Math.round(value) : 0
}

function encodeDuration(duration: StatisticDuration) {
  return { count: whole(duration.count), ns: whole(duration.ns) }
}

/** The ModelStatisticsResponse message for `records`. */
export function encodeModelStatistics(records: readonly ModelStatistics[]) {
  return {
    model_stats: records.map((record) => ({
      name: record.name,
      version: record.version,
      last_inference: whole(record.lastInference),
      inference_count: whole(record.inferenceCount),
      execution_count: whole(record.executionCount),
      inference_stats: {
        success: encodeDuration(record.inferenceStats.success),
        fail: encodeDuration(record.inferenceStats.fail),
        queue: encodeDuration(record.inferenceStats.queue),
        compute_input: encodeDuration(record.inferenceStats.computeInput),
        compute_infer: encodeDuration(record.inferenceStats.computeInfer),
        compute_output: encodeDuration(record.inferenceStats.computeOutput),
      },
      batch_stats: record.batchStats.map((batch) => ({
        batch_size: whole(batch.batchSize),
        compute_input: encodeDuration(batch.computeInput),
        compute_infer: encodeDuration(batch.computeInfer),
        compute_output: encodeDuration(batch.computeOutput),
      })),
    })),
  }
}
