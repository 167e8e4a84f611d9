/**
 * @module runtime/engine
 * The runtime contract: an Engine turns a model file into a LoadedModel that runs
 * validated requests. Nothing here knows HTTP, gRPC or the registry.
 */
import type { Tensor } from '../core/tensor.ts'
import type { ModelSignature } from '../onnx/onnx-signature.ts'

/** Per-model engine settings (config.json `engine`, defaults from the server config). */
export interface EngineOptions {
  /** Threads one session uses inside an operator. */
  readonly intraOpThreads: number
  /** Threads across independent operators (parallel execution mode only). */
  readonly interOpThreads: number
  readonly graphOptimizationLevel: 'disabled' | 'basic' | 'extended' | 'all'
  readonly executionMode: 'sequential' | 'parallel'
}

/** What an engine is asked to run, after the data plane validated it against the signature. */
export interface ExecuteRequest {
  readonly inputs: readonly Tensor[]
  /** Output names to compute, in the order to return them. */
  readonly outputs: readonly string[]
}

/** Where the time of one execution went, in nanoseconds (Triton's compute_input/infer/output). */
export interface ExecutionTiming {
  readonly computeInputNs: number
  readonly computeInferNs: number
  readonly computeOutputNs: number
}

export interface ExecutionResult {
  readonly outputs: Tensor[]
  readonly timing: ExecutionTiming
}

export interface LoadedModel {
  readonly signature: ModelSignature
  /** Runs one request. Never called concurrently for one instance by the scheduler. */
  execute(request: ExecuteRequest): Promise<ExecutionResult>
  /** Releases native memory; the model must not be used afterwards. */
  unload(): Promise<void>
}

export interface Engine {
  readonly name: string
  /** Loads a model file; throws InvalidArgumentError for a file the engine cannot use. */
  load(path: string, options: EngineOptions): Promise<LoadedModel>
}
