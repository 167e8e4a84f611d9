/**
 * @module control/jobs/job-service
 * The jobs API, neutral to HTTP: submit (validated in full, then queued durably in the
 * registry), read, list, cancel, and follow a job's events. The server's routes and the
 * bootstrap call it; the runner does the work.
 */
import { MaasError } from '../../core/errors.ts'
import { rm } from 'node:fs/promises'
import path from 'node:path'
import { InvalidArgumentError } from '../../core/errors.ts'
import { JOB_STATUSES, type JobStatus } from '../../registry/job-store.ts'
import type { RegistryStore } from '../../registry/registry-store.ts'
import { isFinalEvent, type JobEvent, type JobEventBus } from './job-event-bus.ts'
import { TRAIN_JOB_KIND, type JobRunner } from './job-runner.ts'
import { jobDirectory } from './checkpoint-file.ts'
import { isFinished, toJobView, type JobView } from './job-view.ts'
import { parseTrainJobSpec } from './train-job-spec.ts'

export interface JobServiceOptions {
  readonly registry: RegistryStore
  readonly runner: JobRunner
  readonly events: JobEventBus
  readonly dataDir: string
  /** Replaces the system dataset folders (tests). */
  readonly systemDatasetDirs?: Parameters<typeof parseTrainJobSpec>[1]['systemDirs']
}

export interface JobListQuery {
  readonly status?: string
  readonly limit?: number
  /** Only the jobs this key name submitted. */
  readonly owner?: string
}

export class JobService {
  readonly #options: JobServiceOptions

  constructor(options: JobServiceOptions) {
    this.#options = options
  }

  /** Validates a train job (INVALID_ARGUMENT naming the problem) and queues it. */
  /**
   * Queues a training job. `caller` (when the server authenticates) owns the job and the model
   * it creates; a non-admin may only train into a model that is new or its own.
   */
  async submit(body: unknown, owner: string | null = null, { admin = true }: { admin?: boolean } = {}): Promise<JobView> {
    const spec = await parseTrainJobSpec(body, {
      datasetsDir: path.join(this.#options.dataDir, 'datasets'),
      ...(this.#options.systemDatasetDirs ? { systemDirs: this.#options.systemDatasetDirs } : {}),
    })
    if (!admin) {
      const existing = await this.#options.registry.models.get(spec.model).catch(() => undefined)
      if (existing && existing.owner !== owner) {
        throw new MaasError('PERMISSION_DENIED', `key '${owner}' may not train into model '${spec.model}', which it does not own`)
      }
    }
    const job = await this.#options.registry.jobs.enqueue({ kind: TRAIN_JOB_KIND, spec, owner })
    this.#options.runner.wake()
    return toJobView(job)
  }

  async get(id: string): Promise<JobView> {
    return toJobView(await this.#options.registry.jobs.get(id))
  }

  /**
   * The key name that submitted job `id`; null without keys, and for an unknown job, so that
   * to a non-admin key an unknown id looks like any job it does not own (403, not 404).
   */
  async ownerOf(id: string): Promise<string | null> {
    const job = await this.#options.registry.jobs.get(id).catch((error: unknown) => {
      if (error instanceof MaasError && error.code === 'NOT_FOUND') return undefined
      throw error
    })
    return job?.owner ?? null
  }

  /** Newest first. */
  async list(query: JobListQuery = {}): Promise<JobView[]> {
    const status = query.status?.toUpperCase()
    if (status !== undefined && !(JOB_STATUSES as readonly string[]).includes(status)) {
      throw new InvalidArgumentError(`status '${query.status}' must be one of ${JOB_STATUSES.join(', ')}`)
    }
    const jobs = await this.#options.registry.jobs.list({ kind: TRAIN_JOB_KIND, ...(status ? { status: status as JobStatus } : {}), ...(query.owner !== undefined ? { owner: query.owner } : {}) })
    return jobs.reverse().slice(0, query.limit ?? 100).map(toJobView)
  }

  /** QUEUED or RUNNING → CANCELLED, ending its process when it runs here; FAILED_PRECONDITION once finished. */
  async cancel(id: string): Promise<JobView> {
    const job = await this.#options.registry.jobs.cancel(id)
    // Running on another server: that one learns at its next heartbeat. Queued: a job handed
    // back by a graceful stop may have left checkpoints, which nothing will resume now.
    if (!this.#options.runner.cancel(id)) {
      await rm(jobDirectory(this.#options.dataDir, id), { recursive: true, force: true })
      this.#options.events.publish(id, { type: 'cancelled', data: toJobView(job) })
    }
    return toJobView(job)
  }

  /**
   * Follows a job: `listener` gets a `status` event with the current state at once, then live
   * events; a finished job gets its final event right after, and the stream ends. Returns
   * the function that stops following. NOT_FOUND for an unknown job.
   */
  async follow(id: string, listener: (event: JobEvent) => void): Promise<() => void> {
    let ended = false
    const buffered: JobEvent[] = []
    let replayed = false
    // Subscribe before reading the state, so nothing between the two is missed.
    const unsubscribe = this.#options.events.subscribe(id, (event) => (replayed ? deliver(event) : buffered.push(event)))
    const deliver = (event: JobEvent) => {
      if (ended) return
      listener(event)
      if (isFinalEvent(event)) {
        ended = true
        unsubscribe()
      }
    }
    let job: JobView
    try {
      job = await this.get(id)
    } catch (error) {
      unsubscribe()
      throw error
    }
    deliver({ type: 'status', data: job })
    if (isFinished(job.status)) deliver({ type: job.status === 'SUCCEEDED' ? 'done' : job.status === 'FAILED' ? 'failed' : 'cancelled', data: job })
    replayed = true
    for (const event of buffered) deliver(event)
    return () => {
      ended = true
      unsubscribe()
    }
  }
}
