/**
 * @module control/jobs/job-event-bus
 * In-process fan-out of job events to their subscribers (SSE streams, the bootstrap's log).
 * Events are not stored: a subscriber first reads the job's state from the registry, which
 * the runner keeps current, and then follows live events.
 */

/** Names of the events a job streams; the last three end the stream. */
export type JobEventType = 'status' | 'progress' | 'epoch' | 'checkpoint' | 'done' | 'failed' | 'cancelled'

export interface JobEvent {
  readonly type: JobEventType
  readonly data: unknown
}

export type JobEventListener = (event: JobEvent) => void

/** True for the events after which a job never changes again. */
export function isFinalEvent(event: JobEvent): boolean {
  return event.type === 'done' || event.type === 'failed' || event.type === 'cancelled'
}

export class JobEventBus {
  readonly #listeners = new Map<string, Set<JobEventListener>>()
  readonly #all = new Set<(jobId: string, event: JobEvent) => void>()

  /** Follows one job; returns the unsubscribe function. */
  subscribe(jobId: string, listener: JobEventListener): () => void {
    let listeners = this.#listeners.get(jobId)
    if (!listeners) this.#listeners.set(jobId, (listeners = new Set()))
    listeners.add(listener)
    return () => {
      listeners.delete(listener)
      if (listeners.size === 0 && this.#listeners.get(jobId) === listeners) this.#listeners.delete(jobId)
    }
  }

  /** Follows every job; returns the unsubscribe function. */
  subscribeAll(listener: (jobId: string, event: JobEvent) => void): () => void {
    this.#all.add(listener)
    return () => this.#all.delete(listener)
  }

  publish(jobId: string, event: JobEvent): void {
    // A throwing listener must not stop the others, nor the runner that publishes.
    for (const listener of [...(this.#listeners.get(jobId) ?? [])]) safely(() => listener(event))
    for (const listener of [...this.#all]) safely(() => listener(jobId, event))
  }

  /** Subscribers of one job, for tests and metrics. */
  listenerCount(jobId: string): number {
    return this.#listeners.get(jobId)?.size ?? 0
  }
}

function safely(run: () => void): void {
  try {
    run()
  } catch {
    // the listener's own problem
  }
}
