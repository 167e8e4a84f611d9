/**
 * @module server/http/disconnect-signal
 * A CancelSignal that fires when the client goes away before its response was sent. Cheaper
 * than an AbortController per request: it listens to the response only while someone (a
 * queued request) listens to it.
 */
import type { ServerResponse } from 'node:http'
import type { CancelSignal } from '../../runtime/scheduler.ts'

export class DisconnectSignal implements CancelSignal {
  readonly #response: ServerResponse
  #listeners: (() => void)[] | undefined
  #fired = false
  readonly #onClose: () => void

  constructor(response: ServerResponse) {
    this.#response = response
    // Assigned here rather than as an arrow-function field: tsx (esbuild keepNames) names
    // every field arrow with an Object.defineProperty call, per instance, so per request.
    this.#onClose = () => {
      if (this.#response.writableFinished) return
      this.#fired = true
      const listeners = this.#listeners ?? []
      this.#listeners = undefined
      for (const listener of listeners) listener()
    }
  }

  get aborted(): boolean {
    return this.#fired || (this.#response.destroyed && !this.#response.writableFinished)
  }

  addEventListener(_type: 'abort', listener: () => void): void {
    if (this.aborted) return
    if (this.#listeners === undefined) {
      this.#listeners = [listener]
      // `on`, not `once`: 'close' comes at most once, and `once` allocates a wrapper per call.
      this.#response.on('close', this.#onClose)
    } else this.#listeners.push(listener)
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const listeners = this.#listeners
    if (listeners === undefined) return
    const index = listeners.indexOf(listener)
    if (index !== -1) listeners.splice(index, 1)
    if (listeners.length === 0) {
      this.#listeners = undefined
      this.#response.off('close', this.#onClose)
    }
  }
}
