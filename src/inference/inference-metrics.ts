/**
 * @module inference/inference-metrics
 * Prometheus metrics of the data plane, per model and version: requests by outcome,
 * request / queue / compute time histograms, requests in flight; plus the process metrics.
 * One registry per server instance, so several servers in one process (tests) stay apart.
 */
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client'
import { DeferredCounter, type CounterChild } from './deferred-counter.ts'
import { LabelledHistogram, type HistogramChild } from './labelled-histogram.ts'

/** Latency buckets in seconds, from 50 µs (loopback overhead) to 10 s (big models). */
const LATENCY_BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

export class InferenceMetrics {
  readonly registry = new Registry()
  // Updated on every request: the counter and histograms are the cheap kinds (deferred-counter,
  // labelled-histogram), the gauge is read from plain counts when collected.
  readonly requests = new DeferredCounter({
    name: 'maas_inference_requests_total',
    help: 'Inference requests that reached a model, by outcome (success or the error code).',
    labelNames: ['model', 'version', 'outcome'] as const,
    registers: [this.registry],
  })
  readonly requestDuration = new LabelledHistogram({
    name: 'maas_inference_request_duration_seconds',
    help: 'Time from the data plane taking a request to its response, in seconds.',
    labelNames: ['model', 'version'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  })
  readonly queueDuration = new LabelledHistogram({
    name: 'maas_inference_queue_duration_seconds',
    help: 'Time a request waited before the model started on it (validation and queueing), in seconds.',
    labelNames: ['model', 'version'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  })
  readonly computeDuration = new LabelledHistogram({
    name: 'maas_inference_compute_duration_seconds',
    help: 'Time the engine spent running the model for a request, in seconds.',
    labelNames: ['model', 'version'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  })
  readonly batchSize = new LabelledHistogram({
    name: 'maas_inference_batch_size',
    help: 'Realised batch sizes (dimension 0 after dynamic batching) of model executions.',
    labelNames: ['model', 'version'] as const,
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
    registers: [this.registry],
  })
  readonly inflight = new Gauge({
    name: 'maas_inference_inflight_requests',
    help: 'Inference requests being processed now.',
    labelNames: ['model', 'version'] as const,
    registers: [this.registry],
    collect: () => this.#collectInflight(),
  })

  readonly #bound = new Map<string, VersionMetrics>()
  /** In the order of the versions' first requests, as inc() on the gauge would list them. */
  readonly #inflightCounts: InflightCount[] = []

  constructor({ processMetrics = true }: { processMetrics?: boolean } = {}) {
    if (processMetrics) collectDefaultMetrics({ register: this.registry })
  }

  /**
   * The metric children of one model version, bound once: looking labels up on every request
   * costs more than the rest of the bookkeeping together.
   */
  forVersion(model: string, version: string): VersionMetrics {
    const key = `${model}\u0000${version}`
    let bound = this.#bound.get(key)
    if (!bound) {
      bound = {
        success: this.requests.labels(model, version, 'success'),
        requestDuration: this.requestDuration.labels(model, version),
        queueDuration: this.queueDuration.labels(model, version),
        computeDuration: this.computeDuration.labels(model, version),
        inflight: this.#inflightCount(model, version),
        failure: (outcome) => this.requests.labels(model, version, outcome).inc(),
      }
      this.#bound.set(key, bound)
    }
    return bound
  }

  #inflightCount(model: string, version: string): InflightCount {
    const count = new InflightCount({ model, version })
    this.#inflightCounts.push(count)
    return count
  }

  #collectInflight(): void {
    for (const { labels, count } of this.#inflightCounts) this.inflight.set(labels, count)
  }
}

/** Requests in flight on one version: a plain count, read by the gauge when collected. */
class InflightCount {
  count = 0

  constructor(readonly labels: { readonly model: string; readonly version: string }) {}

  inc(): void {
    this.count++
  }

  dec(): void {
    this.count--
  }
}

export interface VersionMetrics {
  readonly success: CounterChild
  readonly requestDuration: HistogramChild
  readonly queueDuration: HistogramChild
  readonly computeDuration: HistogramChild
  readonly inflight: { inc(): void; dec(): void }
  failure(outcome: string): void
}
