/**
 * @module inference/data-plane
 * The transport-neutral inference API: liveness, readiness, server and model metadata,
 * inference and the repository actions. HTTP (and later gRPC) adapters only translate to
 * and from these calls.
 */
import type { InferRequest, InferResponse } from '../core/tensor.ts'
import type { ModelSignature, TensorSpec } from '../onnx/onnx-signature.ts'
import type { IndexEntry, ModelManager } from '../runtime/model-manager.ts'
import type { InferenceMetrics } from './inference-metrics.ts'
import { validateInferRequest } from './validate-request.ts'

export const SERVER_NAME = 'maas'
export const SERVER_VERSION = '0.1.0'
/** Protocol extensions this server implements, as reported in server metadata. */
export const SERVER_EXTENSIONS = ['binary_tensor_data', 'model_repository', 'tfserving_rest'] as const

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

export class DataPlane {
  readonly #models: ModelManager
  readonly #metrics: InferenceMetrics
  #accepting = true

  constructor(models: ModelManager, metrics: InferenceMetrics) {
    this.#models = models
    this.#metrics = metrics
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

  /** Throws ModelNotFoundError / ModelNotReadyError; true when the version can run now. */
  isModelReady(name: string, version?: string): boolean {
    this.#models.acquire(name, version).release()
    return true
  }

  modelMetadata(name: string, version?: string): ModelMetadata {
    const { signature, modelVersion, labels } = this.#describe(name, version)
    const parameters: Record<string, string> = { ...signature.metadata }
    if (labels) parameters.labels = JSON.stringify(labels)
    return {
      name,
      versions: version === undefined ? this.#models.servedVersions(name).map(String) : [modelVersion],
      platform: 'onnxruntime_onnx',
      inputs: signature.inputs,
      outputs: signature.outputs,
      parameters,
    }
  }

  /** The signature of the version a request would run on. */
  signature(name: string, version?: string): ModelSignature {
    return this.#describe(name, version).signature
  }

  async infer(name: string, version: string | undefined, request: InferRequest): Promise<InferResponse> {
    const started = performance.now()
    const lease = this.#models.acquire(name, version)
    const served = lease.served
    const labels = { model: name, version: String(served.version) }
    this.#metrics.inflight.inc(labels)
    let outcome = 'success'
    try {
      const outputs = validateInferRequest(name, served.model.signature, served.config.maxBatchSize, request)
      const computeStarted = performance.now()
      this.#metrics.queueDuration.observe(labels, (computeStarted - started) / 1000)
      const tensors = await served.model.execute({ inputs: request.inputs, outputs })
      this.#metrics.computeDuration.observe(labels, (performance.now() - computeStarted) / 1000)
      return {
        modelName: name,
        modelVersion: labels.version,
        ...(request.id !== undefined ? { id: request.id } : {}),
        outputs: tensors,
      }
    } catch (error) {
      outcome = (error as { code?: string }).code ?? 'INTERNAL'
      throw error
    } finally {
      lease.release()
      this.#metrics.inflight.dec(labels)
      this.#metrics.requests.inc({ ...labels, outcome })
      this.#metrics.requestDuration.observe(labels, (performance.now() - started) / 1000)
    }
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
      return { signature: served.model.signature, modelVersion: String(served.version), labels: served.config.labels }
    } finally {
      lease.release()
    }
  }
}
