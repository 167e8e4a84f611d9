/**
 * @module server/http/routes/statistics-routes
 * Triton's statistics extension: `GET /v2/models[/{model}[/versions/{version}]]/stats`.
 */
import type { DataPlane } from '../../../inference/data-plane.ts'
import type { DurationStat, ModelStatistics } from '../../../inference/model-statistics.ts'
import { sendJson } from '../respond.ts'
import type { Route, RouteContext } from '../router.ts'

export function statisticsRoutes(dataPlane: DataPlane): Route[] {
  const stats = async ({ response, params }: RouteContext) => {
    const models = await dataPlane.modelStatistics(params.model, params.version)
    sendJson(response, 200, JSON.stringify({ model_stats: models.map(encodeModelStatistics) }))
  }
  return [
    { method: 'GET', pattern: '/v2/models/stats', protocol: 'kserve', handler: stats },
    { method: 'GET', pattern: '/v2/models/{model}/stats', protocol: 'kserve', handler: stats },
    { method: 'GET', pattern: '/v2/models/{model}/versions/{version}/stats', protocol: 'kserve', handler: stats },
  ]
}

/** The `$model_stat` JSON object of the extension. */
export function encodeModelStatistics(stats: ModelStatistics) {
  const duration = (stat: DurationStat) => ({ count: stat.count, ns: stat.ns })
  return {
    name: stats.name,
    version: stats.version,
    last_inference: stats.lastInference,
    inference_count: stats.inferenceCount,
    execution_count: stats.executionCount,
    inference_stats: {
      success: duration(stats.inferenceStats.success),
      fail: duration(stats.inferenceStats.fail),
      queue: duration(stats.inferenceStats.queue),
      compute_input: duration(stats.inferenceStats.computeInput),
      compute_infer: duration(stats.inferenceStats.computeInfer),
      compute_output: duration(stats.inferenceStats.computeOutput),
      cache_hit: { count: 0, ns: 0 },
      cache_miss: { count: 0, ns: 0 },
    },
    response_stats: {},
    batch_stats: stats.batchStats.map((batch) => ({
      batch_size: batch.batchSize,
      compute_input: duration(batch.computeInput),
      compute_infer: duration(batch.computeInfer),
      compute_output: duration(batch.computeOutput),
    })),
    memory_usage: [],
  }
}
