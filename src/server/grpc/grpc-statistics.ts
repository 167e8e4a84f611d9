/**
 * @module server/grpc/grpc-statistics
 * Triton's statistics extension over gRPC: encodes the data plane's per model-version
 * statistics as a ModelStatisticsResponse (snake_case, whole non-negative uint64 values).
 */
import type { DurationStat, ModelStatistics } from '../../inference/model-statistics.ts'

/** uint64 fields: whole, non-negative numbers. */
function whole(value: number): number {
  return Number.isFinite(value) && value > 0 ? Math.round(value) : 0
}

function encodeDuration(duration: DurationStat) {
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
