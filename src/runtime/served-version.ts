/**
 * @module runtime/served-version
 * One loaded version of a model, with a count of the requests running on it. Retiring it
 * stops new leases; its session is released when the last request in flight finishes, so
 * a reload or unload never drops a request.
 */
import type { EngineOptions, LoadedModel } from './engine.ts'
import type { ModelConfig } from './model-config.ts'

export class ServedVersion {
  #inflight = 0
  #retired = false
  #released: Promise<void> | undefined
  #onDrained: (() => void) | undefined

  constructor(
    readonly modelName: string,
    readonly version: number,
    readonly model: LoadedModel,
    readonly config: ModelConfig,
    readonly engine: EngineOptions,
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

  /** Stops taking requests; resolves once the last in-flight request is done and the session is released. */
  retire(): Promise<void> {
    if (this.#released) return this.#released
    this.#retired = true
    const drained =
      this.#inflight === 0 ? Promise.resolve() : new Promise<void>((resolve) => (this.#onDrained = resolve))
    this.#released = drained.then(() => this.model.unload())
    return this.#released
  }
}
