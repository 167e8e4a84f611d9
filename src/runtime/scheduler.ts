/**
 * @module runtime/scheduler
 * The scheduling seam between the data plane and model instances (Triton's Scheduler): the
 * data plane enqueues validated requests; a scheduler decides when and on which instance
 * they run, possibly merging several into one batch. Knows nothing of HTTP or gRPC.
 */
import { MAX_TIMER_MS } from '../core/timer-limit.ts'
import type { Tensor } from '../core/tensor.ts'
import type { ExecuteRequest, ExecutionResult } from './engine.ts'

export type { ExecutionTiming } from './engine.ts'

/** A validated request with scheduling hints. */
export interface ScheduledRequest extends ExecuteRequest {
  /** 1 is the highest priority; undefined uses the model's default level. */
  readonly priority?: number
  /** Queue timeout for this request in microseconds; undefined uses the model's default. */
  readonly timeoutMicros?: number
}

/** Where a request's time went, in nanoseconds, as Triton's statistics extension reports it. */
export interface RequestTiming {
  readonly queueNs: number
  readonly computeInputNs: number
  readonly computeInferNs: number
  readonly computeOutputNs: number
}

export interface ScheduledResult {
  readonly outputs: Tensor[]
  readonly timing: RequestTiming
  /** Size (dimension 0 summed over merged requests) of the batch this request ran in. */
  readonly batchSize: number
}

/**
 * What a scheduler needs of a cancellation signal: an AbortSignal fits, and so does a cheaper
 * object a transport makes per request (creating an AbortController is a measurable cost).
 */
export interface CancelSignal {
  readonly aborted: boolean
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void
  removeEventListener(type: 'abort', listener: () => void): void
}

export interface Scheduler {
  /** Resolves with the request's outputs; rejects with a MaasError (RESOURCE_EXHAUSTED, DEADLINE_EXCEEDED, CANCELLED, …). */
  enqueue(request: ScheduledRequest, signal?: CancelSignal): Promise<ScheduledResult>
  /** Requests queued or executing. */
  inflight(): number
  /** Stops accepting and resolves when everything queued or executing is done. */
  stop(): Promise<void>
}

/**
 * One model instance: runs one (possibly merged) request at a time. Implemented on the main
 * thread or in a worker thread, each with its own ORT session.
 */
export interface InstanceExecutor {
  /**
   * execute() runs on another thread, so the event loop took in new requests meanwhile: the
   * batcher may start the next batch the moment one returns, before splitting its outputs.
   */
  readonly runsOffThread?: boolean
  execute(request: ExecuteRequest): Promise<ExecutionResult>
  /** Releases the instance's session (and thread); it must not be used afterwards. */
  close(): Promise<void>
}

/** Time source, injectable so the batcher is tested without real waiting. */
export interface Clock {
  /** Milliseconds, monotonic, fractional. */
  now(): number
  setTimeout(callback: () => void, milliseconds: number): unknown
  clearTimeout(handle: unknown): void
  /** Runs the callback after the I/O events already due (Node's setImmediate); optional for test clocks. */
  setImmediate?(callback: () => void): void
}

export const SYSTEM_CLOCK: Clock = {
  now: () => performance.now(),
  // A delay past MAX_TIMER_MS would fire at once: it arms no timer (clearTimeout(undefined) is a no-op).
  setTimeout: (callback, milliseconds) => (milliseconds <= MAX_TIMER_MS ? setTimeout(callback, milliseconds) : undefined),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  setImmediate: (callback) => void setImmediate(callback),
}
