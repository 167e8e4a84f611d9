/**
 * @module runtime/served-version
 * One loaded version of a model: its signature, config, scheduler and model instances, with
 * a count of the requests leased on it. Retiring it stops new leases; the scheduler drains and
 * the instances are closed once the last request in flight finishes, so a reload or unload
 * never drops a request.
 */
import type { ModelSignature } from '../onnx/onnx-signature.ts'
import type { ModelConfig } from './model-config.ts'
import type { ExecutionTiming, InstanceExecutor, Scheduler } from './scheduler.ts'

/** Called once per successful execution (for statistics and the batch-size histogram). */
export type ExecutionObserver = (info: { batchSize: number; requestCount: number; timing: ExecutionTiming }) => void

export class ServedVersion {
  #inflight = 0
  #retired = false
  #released: Promise<void> | undefined
  #onDrained: (() => void) | undefined

  constructor(
    readonly modelName: string,
    readonly version: number,
    readonly signature: ModelSignature,
    readonly config: ModelConfig,
    readonly scheduler: Scheduler,
    readonly executors: readonly InstanceExecutor[],
    readonly instances: { readonly thread: 'main' | 'worker'; readonly count: number },
  ) {}

  get inflight(): number {
    return this.#inflight
  }

  get isRetired(): boolean {
    return this.#retired
  }

  /** Counts a request in; callers must call `leave()` exactly once afterwards. */
  enter(): void {
    this.#inflight++
  }

  leave(): void {
    this.#inflight--
    if (this.#inflight === 0) this.#onDrained?.()
  }

  /** Stops taking requests; resolves once the last in-flight request is done and the instances are closed. */
  retire(): Promise<void> {
    if (this.#released) return this.#released
    this.#retired = true
    const drained =
      this.#inflight === 0 ? Promise.resolve() : new Promise<void>((resolve) => (this.#onDrained = resolve))
    this.#released = drained
      .then(() => this.scheduler.stop())
      .then(() => Promise.all(this.executors.map((executor) => executor.close())))
      .then(() => undefined)
    return this.#released
  }
}
