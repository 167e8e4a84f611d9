/**
 * @module inference/data-plane
 * The transport-neutral inference API: liveness, readiness, server and model metadata,
 * inference and the repository actions. HTTP (and later gRPC) adapters only translate to
 * and from these calls.
 */
import type { InferRequest, InferResponse } from '../core/tensor.ts'
import type { ModelSignature, TensorSpec } from '../onnx/onnx-signature.ts'
import { InvalidArgumentError, ModelNotReadyError } from '../core/errors.ts'
import type { IndexEntry, ModelManager } from '../runtime/model-manager.ts'
import type { ExecutionObserver, ServedVersion } from '../runtime/served-version.ts'
import type { CancelSignal } from '../runtime/scheduler.ts'
import type { InferenceMetrics } from './inference-metrics.ts'
import type { ModelStatistics, StatisticsRecorder } from './model-statistics.ts'
import { classificationCounts, classify } from './classification.ts'
import { tritonModelConfig, type TritonModelConfig } from './model-configuration.ts'
import { validateInferRequest, type RequestLimits } from './validate-request.ts'

export const SERVER_NAME = 'maas'
export const SERVER_VERSION = '0.1.0'
/** Protocol extensions this server implements, as reported in server metadata. */
export const SERVER_EXTENSIONS = ['binary_tensor_data', 'classification', 'model_configuration', 'model_repository', 'statistics', 'schedule_policy', 'parameters', 'tfserving_rest'] as const

export interface ServerMetadata {
  readonly name: string
  readonly version: string
  readonly extensions: readonly string[]
}

export interface ModelMetadata {
  readonly name: string
  readonly versions: readonly string[]
  readonly platform: string
  readonly inputs: readonly TensorSpec[]
  readonly outputs: readonly TensorSpec[]
  /** The model's metadata_props and config labels. */
  readonly parameters: Readonly<Record<string, string>>
}

/** One finished inference (success or error), as the usage meter counts it. */
export interface InferenceDone {
  /** The caller's API key id; null when the transport named none. */
  readonly keyId: string | null
  readonly model: string
  readonly version: number
  /** The request's batch size (1 for models without a batch dimension). */
  readonly samples: number
  readonly error: boolean
  /** Engine time for the request in nanoseconds; 0 when it failed before running. */
  readonly computeNs: number
}

/** Called once per inference that reached a model version. Runs on the request path: keep it cheap, never throw. */
export type InferenceDoneHook = (done: InferenceDone) => void

/** Who asked for an inference, as far as the data plane needs to know. */
export interface InferenceCaller {
  readonly keyId: string | null
}

export interface DataPlaneOptions {
  readonly onRequestDone?: InferenceDoneHook
  /** Limits that protect the process, checked before any model work. */
  readonly limits?: RequestLimits
}

export class DataPlane {
  readonly #models: ModelManager
  readonly #metrics: InferenceMetrics
  readonly #statistics: StatisticsRecorder
  readonly #onRequestDone: InferenceDoneHook | undefined
  #accepting = true

  readonly #limits: RequestLimits | undefined

  constructor(models: ModelManager, metrics: InferenceMetrics, statistics: StatisticsRecorder, options: DataPlaneOptions = {}) {
    this.#models = models
    this.#metrics = metrics
    this.#statistics = statistics
    this.#onRequestDone = options.onRequestDone
    this.#limits = options.limits
  }

  isLive(): boolean {
    return true
  }

  isReady(): boolean {
    return this.#accepting && this.#models.isReady()
  }

  serverMetadata(): ServerMetadata {
    return { name: SERVER_NAME, version: SERVER_VERSION, extensions: SERVER_EXTENSIONS }
  }

  /**
   * Whether a known model (version) can run now, and why not when it cannot (loading,
   * unloaded, failed); throws a NOT_FOUND error for a model, version or label the server
   * does not know (and INVALID_ARGUMENT for a malformed version).
   */
  modelReadiness(name: string, version?: string): { readonly ready: true } | { readonly ready: false; readonly reason: string } {
    try {
      this.#models.acquire(name, version).release()
      return { ready: true }
    } catch (error) {
      if (error instanceof ModelNotReadyError) return { ready: false, reason: error.message }
      throw error
    }
  }

  modelMetadata(name: string, version?: string): ModelMetadata {
    const { signature, modelVersion, labels, modelName } = this.#describe(name, version)
    const addressed = version !== undefined || name.includes('@')
    const parameters: Record<string, string> = { ...signature.metadata }
    if (labels) parameters.labels = JSON.stringify(labels)
    return {
      name: modelName,
      versions: addressed ? [modelVersion] : this.#models.servedVersions(modelName).map(String),
      platform: 'onnxruntime_onnx',
      inputs: signature.inputs,
      outputs: signature.outputs,
      parameters,
    }
  }

  /** Triton's ModelConfig of the version a request would run on (model configuration extension). */
  modelConfig(name: string, version?: string): TritonModelConfig {
    const lease = this.#models.acquire(name, version)
    try {
      return tritonModelConfig(lease.served)
    } finally {
      lease.release()
    }
  }

  /** The signature of the version a request would run on. */
  signature(name: string, version?: string): ModelSignature {
    return this.#describe(name, version).signature
  }

  /**
   * Runs a request on the model's scheduler. `signal` aborts it while it is still queued
   * (client gone, deadline passed). Request parameters `priority` and `timeout` (µs) are
   * honoured as in Triton. `caller` names the API key the usage is counted for.
   */
  async infer(name: string, version: string | undefined, request: InferRequest, signal?: CancelSignal, caller?: InferenceCaller): Promise<InferResponse> {
    const started = process.hrtime.bigint()
    const lease = this.#models.acquire(name, version)
    const served = lease.served
    // `model@label` and labels resolve to the canonical name and a version number.
    const model = served.modelName
    const modelVersion = String(served.version)
    const metrics = this.#metrics.forVersion(model, modelVersion)
    const samples = batchSizeOf(request, served.config.maxBatchSize)
    metrics.inflight.inc()
    let failure: string | undefined
    let computeNs = 0
    let totalNs = 0
    try {
      const outputs = validateInferRequest(model, served.signature, served.config.maxBatchSize, request, this.#limits)
      const classes = classificationCounts(request.outputs, served.signature.outputs)
      const scheduled = request.parameters === undefined ? { inputs: request.inputs, outputs } : { inputs: request.inputs, outputs, ...schedulingHints(request) }
      const result = await served.scheduler.enqueue(scheduled, signal)
      const { timing } = result
      totalNs = Number(process.hrtime.bigint() - started)
      this.#statistics.recordSuccess(model, modelVersion, samples, totalNs, timing)
      metrics.queueDuration.observe(timing.queueNs / 1e9)
      computeNs = timing.computeInputNs + timing.computeInferNs + timing.computeOutputNs
      metrics.computeDuration.observe(computeNs / 1e9)
      const labels = classLabelsOf(served)
      const tensors = classes === undefined ? result.outputs : result.outputs.map((tensor) => {
        const count = classes.get(tensor.name)
        return count === undefined ? tensor : classify(tensor, count, served.config.maxBatchSize > 0, labels)
      })
      const response: { -readonly [K in keyof InferResponse]: InferResponse[K] } = { modelName: model, modelVersion, outputs: tensors }
      if (request.id !== undefined) response.id = request.id
      if (labels !== undefined) response.classLabels = labels
      return response
    } catch (error) {
      failure = (error as { code?: string }).code ?? 'INTERNAL'
      totalNs = Number(process.hrtime.bigint() - started)
      this.#statistics.recordFailure(model, modelVersion, totalNs)
      throw error
    } finally {
      lease.release()
      metrics.inflight.dec()
      if (failure === undefined) metrics.success.inc()
      else metrics.failure(failure)
      metrics.requestDuration.observe(totalNs / 1e9)
      this.#onRequestDone?.({ keyId: caller?.keyId ?? null, model, version: served.version, samples, error: failure !== undefined, computeNs })
    }
  }

  /** Triton statistics of one version, all served versions of a model, or every model. */
  async modelStatistics(name?: string, version?: string): Promise<ModelStatistics[]> {
    if (name === undefined) {
      const names = [...new Set((await this.#models.index()).map((entry) => entry.name))]
      return names.flatMap((model) => this.#statistics.snapshot(model, this.#models.servedVersions(model).map(String)))
    }
    if (version !== undefined) {
      this.#models.acquire(name, version).release()
      return this.#statistics.snapshot(name, [version])
    }
    this.#models.acquire(name).release()
    return this.#statistics.snapshot(name, this.#models.servedVersions(name).map(String))
  }

  repositoryIndex(): Promise<IndexEntry[]> {
    return this.#models.index()
  }

  loadModel(name: string): Promise<void> {
    return this.#models.load(name)
  }

  unloadModel(name: string): Promise<void> {
    return this.#models.unload(name)
  }

  /**
   * Turns readiness false on shutdown, so load balancers stop sending. Requests already
   * received still run; the transports refuse the ones that start afterwards.
   */
  stopAccepting(): void {
    this.#accepting = false
  }

  #describe(name: string, version?: string) {
    const lease = this.#models.acquire(name, version)
    try {
      const served = lease.served
      return { signature: served.signature, modelVersion: String(served.version), labels: served.config.labels, modelName: served.modelName }
    } finally {
      lease.release()
    }
  }
}

const classLabels = new WeakMap<ServedVersion, readonly string[] | null>()

/** A version's class labels: config.json `labels`, else a JSON array of strings in the ONNX metadata's `labels`. */
function classLabelsOf(served: ServedVersion): readonly string[] | undefined {
  let labels = classLabels.get(served)
  if (labels === undefined) {
    labels = served.config.labels ?? parseLabels(served.signature.metadata.labels) ?? null
    classLabels.set(served, labels)
  }
  return labels ?? undefined
}

function parseLabels(text: string | undefined): readonly string[] | undefined {
  if (text === undefined) return undefined
  try {
    const value: unknown = JSON.parse(text)
    return Array.isArray(value) && value.every((label) => typeof label === 'string') ? Object.freeze(value as string[]) : undefined
  } catch {
    return undefined
  }
}

/** Triton's `priority` and `timeout` (microseconds) request parameters. */
function schedulingHints(request: InferRequest): { priority?: number; timeoutMicros?: number } {
  const hints: { priority?: number; timeoutMicros?: number } = {}
  const priority = nonNegativeInteger(request.parameters?.priority, 'parameter "priority" must be a non-negative integer')
  const timeout = nonNegativeInteger(request.parameters?.timeout, 'parameter "timeout" must be a non-negative integer (microseconds)')
  if (priority) hints.priority = priority
  if (timeout) hints.timeoutMicros = timeout
  return hints
}

function nonNegativeInteger(value: unknown, message: string): number | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new InvalidArgumentError(message)
  return value
}

/** Inferences a request counts for: its batch (dimension 0) for batching models, else 1. */
function batchSizeOf(request: InferRequest, maxBatchSize: number): number {
  return maxBatchSize > 0 ? (request.inputs[0]?.shape[0] ?? 1) : 1
}

/** The observer the model manager gives each loaded version: statistics and the batch-size histogram. */
export function createExecutionObserver(statistics: StatisticsRecorder, metrics: InferenceMetrics) {
  return (model: string, version: number): ExecutionObserver => {
    const versionLabel = String(version)
    const batchSizes = metrics.batchSize.labels(model, versionLabel)
    return ({ batchSize, timing }) => {
      statistics.recordExecution(model, versionLabel, batchSize, timing)
      batchSizes.observe(batchSize)
    }
  }
}
