/**
 * @module runtime/dynamic-batcher
 * Triton's dynamic batcher for one model: queues requests by priority, merges compatible ones
 * along dimension 0 into batches of up to maxBatchSize (dispatching a preferred size at once,
 * otherwise waiting up to maxQueueDelay), and runs each batch on a free model instance.
 * Implements Scheduler. Knows nothing of HTTP, gRPC or the registry.
 */
import type { MaasError } from '../core/errors.ts'
import {
  BatchTooLargeError,
  ModelUnloadingError,
  QueueFullError,
  QueueTimeoutError,
  RequestCancelledError,
} from './dynamic-batcher-errors.ts'
import { PriorityRequestQueue, planBatch, requestRows, type QueueEntry } from './dynamic-batcher-queue.ts'
import { mergeRequests, splitOutputs } from './dynamic-batcher-merge.ts'
import {
  SYSTEM_CLOCK,
  type CancelSignal,
  type Clock,
  type ExecutionTiming,
  type InstanceExecutor,
  type ScheduledRequest,
  type ScheduledResult,
  type Scheduler,
} from './scheduler.ts'

/** One successful execution, reported for batch statistics and the realised-batch-size histogram. */
export interface ExecutionInfo {
  /** Dimension 0 of the executed batch (1 per request for a model that does not batch). */
  readonly batchSize: number
  readonly requestCount: number
  readonly timing: ExecutionTiming
}

/** A model's scheduling settings, from its config.json; field names match DynamicBatchingConfig. */
export interface DynamicBatcherOptions {
  /** Used in error messages. */
  readonly modelName: string
  /** 0: the model does not batch, so every request runs alone. */
  readonly maxBatchSize: number
  /** Whether config.json has a `dynamic_batching` section; false runs every request alone. */
  readonly batching: boolean
  /** How long the oldest request may wait for a fuller batch; 0 (default) never waits. */
  readonly maxQueueDelayMicros?: number
  /** Batch sizes dispatched as soon as the queue can form them (Triton semantics). */
  readonly preferredBatchSizes?: readonly number[]
  /** Queued requests (all levels, executing ones excluded) beyond which new ones get RESOURCE_EXHAUSTED; 0 (default): unbounded. */
  readonly maxQueueSize?: number
  /** Queue timeout of a request in microseconds; 0 (default): none. */
  readonly defaultTimeoutMicros?: number
  /** Whether a request's own `timeoutMicros` replaces the default (default true, as in Triton). */
  readonly allowTimeoutOverride?: boolean
  /** REJECT (default) fails a timed-out request; DELAY keeps it behind the others of its level. */
  readonly timeoutAction?: 'REJECT' | 'DELAY'
  /** Number of priority levels, 1 highest; 0 (default): a single level. */
  readonly priorityLevels?: number
  /** Level of requests without a valid priority; ignored when priorityLevels is 0. */
  readonly defaultPriorityLevel?: number
  /** Called once per execution whose requests all succeeded, after they are resolved; must not throw. */
  readonly onExecution?: (info: ExecutionInfo) => void
}

interface PendingRequest extends QueueEntry {
  readonly request: ScheduledRequest
  readonly enqueuedAt: number
  readonly timeoutMicros: number
  readonly deadline: number
  readonly resolve: (result: ScheduledResult) => void
  readonly reject: (error: unknown) => void
  timer: unknown
  readonly signal: CancelSignal | undefined
  /** Listens to `signal` while the request is queued. */
  onAbort: (() => void) | undefined
}

const ONCE = { once: true } as const

/**
 * Schedules one model's requests over its instances. Each executor runs one batch at a time.
 * The owner closes the executors after stop() resolves; the batcher never closes them, since
 * it does not own them (the same instances may outlive it, e.g. when a config is reloaded).
 */
export class DynamicBatcher implements Scheduler {
  readonly #options: DynamicBatcherOptions
  readonly #executors: readonly InstanceExecutor[]
  readonly #clock: Clock
  readonly #queue: PriorityRequestQueue<PendingRequest>
  readonly #preferred: ReadonlySet<number>
  readonly #delayMs: number
  /** Free executors by index, longest idle first, so work spreads over all instances. */
  readonly #idle: number[]
  #executing = 0
  #delayTimer: { readonly handle: unknown; readonly due: number } | undefined
  #schedulePending = false
  /** The time #schedule is working at, for #isTimedOut. */
  #scheduledAt = 0
  // The callbacks below are assigned in the constructor, not created per request or per call:
  // tsx (esbuild keepNames) names each named closure with an Object.defineProperty call.
  readonly #isTimedOut: (entry: PendingRequest) => boolean
  readonly #scheduleDeferred: () => void
  #drained: { readonly promise: Promise<void>; readonly resolve: () => void } | undefined

  constructor(options: DynamicBatcherOptions, executors: readonly InstanceExecutor[], clock: Clock = SYSTEM_CLOCK) {
    if (executors.length === 0) throw new RangeError(`model '${options.modelName}' needs at least one instance`)
    this.#options = options
    this.#executors = [...executors]
    this.#clock = clock
    this.#queue = new PriorityRequestQueue(options.priorityLevels ?? 0)
    this.#preferred = new Set(options.preferredBatchSizes ?? [])
    this.#delayMs = (options.maxQueueDelayMicros ?? 0) / 1000
    this.#idle = executors.map((_, index) => index)
    // A timer may fire a little late; whoever is past its deadline now is handled first.
    this.#isTimedOut = (entry) => {
      if (entry.delayed || entry.deadline > this.#scheduledAt) return false
      this.#applyTimeout(entry)
      return true
    }
    this.#scheduleDeferred = () => {
      this.#schedulePending = false
      this.#schedule()
    }
  }

  enqueue(request: ScheduledRequest, signal?: CancelSignal): Promise<ScheduledResult> {
    const { modelName, maxBatchSize } = this.#options
    if (this.#drained !== undefined) return Promise.reject(new ModelUnloadingError(modelName))
    if (signal?.aborted === true) return Promise.reject(new RequestCancelledError(modelName))
    const rows = requestRows(request)
    if (maxBatchSize > 0 && rows !== undefined && rows > maxBatchSize) {
      return Promise.reject(new BatchTooLargeError(modelName, rows, maxBatchSize))
    }
    const maxQueueSize = this.#options.maxQueueSize ?? 0
    if (maxQueueSize > 0 && this.#queue.size >= maxQueueSize) return Promise.reject(new QueueFullError(modelName, maxQueueSize))
    const enqueuedAt = this.#clock.now()
    const timeoutMicros = this.#timeoutOf(request)
    return new Promise<ScheduledResult>((resolve, reject) => {
      const entry: PendingRequest = {
        request,
        // A model that does not batch has no batch dimension: each request counts as one.
        rows: maxBatchSize > 0 ? (rows ?? 1) : 1,
        mergeable: this.#options.batching && maxBatchSize > 0 && rows !== undefined,
        level: this.#levelOf(request),
        delayed: false,
        enqueuedAt,
        timeoutMicros,
        deadline: timeoutMicros > 0 ? enqueuedAt + timeoutMicros / 1000 : Infinity,
        resolve,
        reject,
        timer: undefined,
        signal,
        onAbort: undefined,
      }
      this.#queue.push(entry)
      if (timeoutMicros > 0) entry.timer = this.#clock.setTimeout(() => this.#onTimeout(entry), timeoutMicros / 1000)
      if (signal !== undefined) {
        entry.onAbort = () => {
          if (this.#queue.has(entry)) this.#dropQueued(entry, new RequestCancelledError(modelName))
        }
        signal.addEventListener('abort', entry.onAbort, ONCE)
      }
      this.#scheduleSoon()
    })
  }

  inflight(): number {
    return this.#queue.size + this.#executing
  }

  /** Refuses new requests, runs what is queued without waiting for fuller batches, resolves when idle. */
  stop(): Promise<void> {
    if (this.#drained === undefined) {
      let resolve!: () => void
      const promise = new Promise<void>((done) => (resolve = done))
      this.#drained = { promise, resolve }
      this.#schedule()
    }
    return this.#drained.promise
  }

  #timeoutOf(request: ScheduledRequest): number {
    const own = (this.#options.allowTimeoutOverride ?? true) ? request.timeoutMicros : undefined
    return own ?? this.#options.defaultTimeoutMicros ?? 0
  }

  /** Triton's rule: a priority outside 1..levels (or none) gets the default level. */
  #levelOf(request: ScheduledRequest): number {
    const levels = this.#options.priorityLevels ?? 0
    if (levels === 0) return 0
    const fallback = Math.min(Math.max(this.#options.defaultPriorityLevel ?? levels, 1), levels)
    const priority = request.priority
    const level = priority !== undefined && Number.isInteger(priority) && priority >= 1 && priority <= levels ? priority : fallback
    return level - 1
  }

  #onTimeout(entry: PendingRequest): void {
    if (!this.#queue.has(entry)) return
    this.#applyTimeout(entry)
    this.#schedule()
  }

  /** Rejects or delays a timed-out queued request without rescheduling (batch formation calls it too). */
  #applyTimeout(entry: PendingRequest): void {
    if ((this.#options.timeoutAction ?? 'REJECT') === 'DELAY') this.#queue.delay(entry)
    else this.#dropQueued(entry, new QueueTimeoutError(this.#options.modelName, entry.timeoutMicros), false)
  }

  #dropQueued(entry: PendingRequest, error: MaasError, reschedule = true): void {
    this.#queue.remove(entry)
    this.#release(entry)
    entry.reject(error)
    if (reschedule) this.#schedule()
  }

  /** Detaches a request that leaves the queue from its timeout timer and abort signal. */
  #release(entry: PendingRequest): void {
    if (entry.timer !== undefined) this.#clock.clearTimeout(entry.timer)
    entry.timer = undefined
    if (entry.onAbort !== undefined) entry.signal?.removeEventListener('abort', entry.onAbort)
    entry.onAbort = undefined
  }

  /**
   * Schedules after the I/O events already due when batching: requests whose bytes arrived
   * in the same event-loop turn (for instance while a main-thread instance ran) join one
   * batch instead of the first going alone. Costs one loop turn, and nothing without batching.
   */
  #scheduleSoon(): void {
    const defer = this.#clock.setImmediate
    if (!this.#options.batching || defer === undefined) {
      this.#schedule()
      return
    }
    if (this.#schedulePending) return
    this.#schedulePending = true
    defer.call(this.#clock, this.#scheduleDeferred)
  }

  /** Dispatches batches while an instance is free and the rules say a batch should go now. */
  #schedule(): void {
    while (this.#idle.length > 0 && this.#queue.size > 0) {
      const now = this.#clock.now()
      this.#scheduledAt = now
      const plan = planBatch(this.#queue, Math.max(this.#options.maxBatchSize, 1), this.#preferred, this.#isTimedOut)
      const head = plan?.requests[0]
      if (plan === undefined || head === undefined) break
      // Once stopping, nothing more will arrive to fill a batch, so waiting only delays the drain.
      const delayExceeded = this.#drained !== undefined || (this.#delayMs > 0 && now - head.enqueuedAt >= this.#delayMs)
      if (plan.preferredCount > 0 && !delayExceeded) this.#dispatch(plan.requests.slice(0, plan.preferredCount))
      else if (plan.saturated || delayExceeded || this.#delayMs === 0) this.#dispatch(plan.requests)
      else {
        this.#wakeAt(head.enqueuedAt + this.#delayMs, now)
        break
      }
    }
    if (this.#queue.size === 0) this.#cancelWake()
    // Batch formation may have rejected the last timed-out requests.
    this.#resolveIfDrained()
  }

  #wakeAt(due: number, now: number): void {
    if (this.#delayTimer?.due === due) return
    this.#cancelWake()
    const handle = this.#clock.setTimeout(() => {
      this.#delayTimer = undefined
      this.#schedule()
    }, due - now)
    this.#delayTimer = { handle, due }
  }

  #cancelWake(): void {
    if (this.#delayTimer !== undefined) this.#clock.clearTimeout(this.#delayTimer.handle)
    this.#delayTimer = undefined
  }

  #dispatch(batch: readonly PendingRequest[]): void {
    const index = this.#idle.shift()
    const executor = index === undefined ? undefined : this.#executors[index]
    if (index === undefined || executor === undefined) throw new Error('dispatch without a free instance')
    for (const entry of batch) {
      this.#queue.remove(entry)
      this.#release(entry)
    }
    this.#executing += batch.length
    void this.#run(executor, index, batch, this.#clock.now())
  }

  async #run(executor: InstanceExecutor, index: number, batch: readonly PendingRequest[], dispatchedAt: number): Promise<void> {
    const batchSize = batch.reduce((sum, entry) => sum + entry.rows, 0)
    let timing: ExecutionTiming | undefined
    let freedEarly = false
    try {
      const result = await executor.execute(mergeRequests(batch.map((entry) => entry.request)))
      const outputs = batch.length === 1 ? [result.outputs] : splitOutputs(this.#options.modelName, result.outputs, batch.map((entry) => entry.rows))
      // Triton attributes the whole batch's compute time to each of its requests.
      const { computeInputNs, computeInferNs, computeOutputNs } = result.timing
      batch.forEach((entry, position) => {
        const queueNs = Math.round((dispatchedAt - entry.enqueuedAt) * 1e6)
        entry.resolve({ outputs: outputs[position] ?? [], timing: { queueNs, computeInputNs, computeInferNs, computeOutputNs }, batchSize })
      })
      timing = { computeInputNs, computeInferNs, computeOutputNs }
      if (executor.runsOffThread) {
        // What queued while the worker ran is already parsed: start the next batch now, before
        // the responses of this one are written (the resolutions above run after this turn), so
        // the instance does not idle meanwhile (on the seed CNN at c=64 it was ~25% idle).
        // Every request of this batch is settled already: nothing here can fail them.
        freedEarly = true
        this.#idle.push(index)
        this.#schedule()
      }
    } catch (error) {
      for (const entry of batch) entry.reject(error)
    } finally {
      this.#executing -= batch.length
      if (!freedEarly) this.#idle.push(index)
      this.#scheduleSoon()
    }
    // Outside the try: a throwing statistics hook must not turn delivered results into errors;
    // it surfaces as an unhandled rejection instead, loud enough for a programming error.
    if (timing !== undefined) this.#options.onExecution?.({ batchSize, requestCount: batch.length, timing })
  }

  #resolveIfDrained(): void {
    if (this.#drained === undefined || this.inflight() > 0) return
    this.#cancelWake()
    this.#drained.resolve()
  }
}
