/**
 * @module control/jobs/train-job-execution
 * One claimed train job on this server: its child process, the lease heartbeat (carrying
 * progress and the latest checkpoint path), the events relayed to subscribers, and the end:
 * registered + completed, failed, cancelled, or released for the next start (server
 * stopping). Registry writes go through one promise chain so they land in order.
 */
import { rm } from 'node:fs/promises'
import path from 'node:path'
import type { ArtifactStore } from '../../artifacts/artifact-store.ts'
import type { JobRecord } from '../../registry/job-store.ts'
import { JobLeaseLostError } from '../../registry/registry-errors.ts'
import type { RegistryStore } from '../../registry/registry-store.ts'
import type { EpochLogs, ProgressLogs } from '../../training/trainer/trainer.ts'
import type { JobEventBus, JobEventType } from './job-event-bus.ts'
import { toJobView } from './job-view.ts'
import type { ChildExit } from './train-job-process.ts'
import { TrainJobProcess } from './train-job-process.ts'
import { jobDirectory } from './checkpoint-file.ts'
import type { ChildMessage } from './train-job-messages.ts'
import { registerTrainedVersion } from './train-job-registration.ts'
import type { TrainJobSpec } from './train-job-spec.ts'

/** The pino-compatible subset the job runner logs with. */
export interface JobLogger {
  info(fields: object, message: string): void
  warn(fields: object, message: string): void
  error(fields: object, message: string): void
}

/** Makes a newly registered version serve (the data plane's loadModel). */
export interface ModelLoader {
  loadModel(name: string): Promise<void>
}

export interface JobExecutionContext {
  readonly registry: RegistryStore
  readonly artifacts: ArtifactStore
  readonly events: JobEventBus
  readonly logger: JobLogger
  readonly models?: ModelLoader
  readonly dataDir: string
  readonly leaseMs: number
  readonly workerId: string
}

/** What GET /v1/jobs/{id} shows as `progress` while the job runs. */
interface TrainProgress {
  phase: 'starting' | 'training' | 'evaluating' | 'exporting' | 'registering'
  epochs: number
  epoch: number
  batch: number
  batches: number
  loss: number | null
  samplesPerSecond: number | null
  resumedFromEpoch: number
  history: EpochLogs[]
  pid: number | null
}

export class TrainJobExecution {
  readonly id: string
  /** Settles when the job has left this server (finished, released or lost). */
  readonly done: Promise<void>
  readonly #ctx: JobExecutionContext
  readonly #spec: TrainJobSpec
  readonly #owner: string | null
  readonly #progress: TrainProgress
  readonly #process: TrainJobProcess
  readonly #heartbeat: NodeJS.Timeout
  readonly #jobDir: string
  #writes: Promise<unknown> = Promise.resolve()
  #ending: 'cancelled' | 'stopping' | 'lost' | 'finished' | undefined
  #resolveDone!: () => void

  constructor(job: JobRecord, ctx: JobExecutionContext) {
    this.id = job.id
    this.#ctx = ctx
    this.#spec = job.spec as TrainJobSpec
    this.#owner = job.owner ?? null
    this.done = new Promise((resolve) => (this.#resolveDone = resolve))
    this.#progress = { phase: 'starting', epochs: this.#spec.fit.epochs, epoch: 0, batch: 0, batches: 0, loss: null, samplesPerSecond: null, resumedFromEpoch: 0, history: [], pid: null }
    const jobDir = (this.#jobDir = jobDirectory(ctx.dataDir, job.id))
    this.#process = new TrainJobProcess(
      { id: job.id, spec: this.#spec, datasetsDir: path.join(ctx.dataDir, 'datasets'), jobDir, ...(job.checkpoint ? { checkpoint: job.checkpoint } : {}) },
      { onMessage: (message) => this.#onMessage(message), onExit: (exit) => this.#onExit(exit) },
    )
    this.#progress.pid = this.#process.pid ?? null
    this.#heartbeat = setInterval(() => this.#beat(), Math.max(50, Math.floor(ctx.leaseMs / 3)))
    this.#heartbeat.unref()
    ctx.logger.info({ job: job.id, attempt: job.attempts, pid: this.#progress.pid, checkpoint: job.checkpoint }, `job ${job.id}: training ${this.#spec.model} on ${this.#spec.dataset}${job.checkpoint ? ` (resuming from ${path.basename(job.checkpoint)})` : ''}`)
    this.#publish('status', { ...toJobView(job), progress: this.#snapshot() })
  }

  /** Ends the child: 'cancelled' after the registry cancelled the job, 'stopping' to hand it back to the queue. */
  kill(reason: 'cancelled' | 'stopping'): void {
    this.#ending ??= reason
    this.#process.kill()
  }

  #onMessage(message: ChildMessage): void {
    if (this.#ending) return
    const progress = this.#progress
    switch (message.type) {
      case 'started':
        Object.assign(progress, { phase: 'training', resumedFromEpoch: message.resumedFromEpoch, epoch: message.resumedFromEpoch, history: [...message.history] })
        this.#publish('status', { status: 'RUNNING', progress: this.#snapshot() })
        break
      case 'progress':
        this.#onProgress(message.logs)
        break
      case 'epoch':
        progress.history.push(message.logs)
        progress.epoch = message.logs.epoch
        this.#ctx.logger.info(
          { job: this.id, epoch: message.logs.epoch, epochs: progress.epochs, loss: message.logs.loss, ...message.logs.metrics, samplesPerSecond: Math.round(message.logs.samplesPerSecond) },
          `job ${this.id} epoch ${message.logs.epoch}/${progress.epochs}: loss ${message.logs.loss.toFixed(4)}${Object.entries(message.logs.metrics).map(([name, value]) => ` ${name} ${value.toFixed(4)}`).join('')} ${Math.round(message.logs.samplesPerSecond)} samples/s`,
        )
        this.#publish('epoch', { ...message.logs, epochs: progress.epochs })
        if (message.logs.epoch === progress.epochs) progress.phase = 'evaluating'
        break
      case 'checkpoint':
        // Published only once the registry holds it: a client that saw it can rely on it.
        void this.#write(() => this.#ctx.registry.jobs.heartbeat(this.id, this.#ctx.workerId, { leaseMs: this.#ctx.leaseMs, progress: this.#snapshot(), checkpoint: message.path }))
          .then((ok) => ok && this.#publish('checkpoint', { epoch: message.epoch, step: message.step }))
        break
      case 'exporting':
        progress.phase = 'exporting'
        break
      case 'done':
        progress.phase = 'registering'
        this.#ending = 'finished'
        void this.#finish(message)
        break
      case 'failed':
        this.#ending = 'finished'
        void this.#fail(message.message)
        break
    }
  }

  #onProgress(logs: ProgressLogs): void {
    Object.assign(this.#progress, { epoch: logs.epoch - 1, batch: logs.batchesDone, batches: logs.batchesTotal, loss: logs.loss, samplesPerSecond: logs.samplesPerSecond })
    this.#publish('progress', { ...logs, epochs: this.#progress.epochs })
  }

  async #finish(message: Extract<ChildMessage, { type: 'done' }>): Promise<void> {
    const { registry, artifacts, models, logger } = this.#ctx
    try {
      const result = await this.#write(() => registerTrainedVersion(registry, artifacts, this.id, this.#spec, { ...message, resumedFromEpoch: this.#progress.resumedFromEpoch }, this.#owner))
      if (result === undefined) return
      await models?.loadModel(result.model).catch((error: unknown) => logger.warn({ job: this.id, model: result.model, err: error }, `job ${this.id}: version ${result.version} registered but not loaded`))
      const job = await this.#write(() => registry.jobs.complete(this.id, this.#ctx.workerId, { ...result, history: message.history }))
      if (job === undefined) return
      await this.#removeFiles()
      logger.info({ job: this.id, model: result.model, version: result.version, alias: result.alias, ...result.metrics }, `job ${this.id} succeeded: ${result.model} version ${result.version}${result.alias ? ` (${result.alias})` : ''} registered and serving, test accuracy ${(result.metrics.test_accuracy ?? NaN).toFixed(4)}`)
      this.#publish('done', toJobView(job))
    } catch (error) {
      await this.#fail(`registering the trained model failed: ${(error as Error).message}`)
    }
  }

  async #fail(reason: string): Promise<void> {
    this.#ctx.logger.warn({ job: this.id, error: reason }, `job ${this.id} failed`)
    const job = await this.#write(() => this.#ctx.registry.jobs.fail(this.id, this.#ctx.workerId, reason))
    if (!job) return
    await this.#removeFiles()
    this.#publish('failed', toJobView(job))
  }

  #onExit(exit: ChildExit): void {
    clearInterval(this.#heartbeat)
    const settle = () => this.#writes.then(() => this.#resolveDone(), () => this.#resolveDone())
    if (this.#ending === undefined) {
      this.#ending = 'finished'
      void this.#fail(`the training process exited (${exit.signal ?? `code ${exit.code}`}) before it finished${exit.stderr ? `: ${exit.stderr.slice(-1000)}` : ''}`).then(settle)
      return
    }
    if (this.#ending === 'stopping') {
      void this.#write(() => this.#ctx.registry.jobs.release(this.id, this.#ctx.workerId)).then(settle)
      return
    }
    if (this.#ending === 'cancelled') {
      void this.#removeFiles()
        .then(() => this.#ctx.registry.jobs.get(this.id))
        .then((job) => this.#publish('cancelled', toJobView(job)), () => undefined)
        .then(settle)
      return
    }
    void settle()
  }

  /**
   * Removes the job's folder (checkpoints, exported model) once the job has ended for good:
   * a trained model lives on in the artifact store, and no API resumes a finished job.
   * Not after 'stopping' or 'lost': the next holder resumes from those checkpoints.
   */
  async #removeFiles(): Promise<void> {
    await rm(this.#jobDir, { recursive: true, force: true }).catch((error: unknown) =>
      this.#ctx.logger.warn({ job: this.id, err: error }, `job ${this.id}: could not remove ${this.#jobDir}`),
    )
  }

  #beat(): void {
    if (this.#ending) return
    void this.#write(() => this.#ctx.registry.jobs.heartbeat(this.id, this.#ctx.workerId, { leaseMs: this.#ctx.leaseMs, progress: this.#snapshot() }))
  }

  /** Runs a registry write after the earlier ones; undefined when the lease is lost (cancelled elsewhere, or taken over). */
  #write<T>(run: () => Promise<T>): Promise<T | undefined> {
    const next = this.#writes.then(run).catch(async (error: unknown) => {
      if (!(error instanceof JobLeaseLostError)) {
        this.#ctx.logger.error({ job: this.id, err: error }, `job ${this.id}: registry write failed`)
        return undefined
      }
      const job = await this.#ctx.registry.jobs.get(this.id).catch(() => undefined)
      if (this.#ending === undefined || this.#ending === 'finished') {
        this.#ending = job?.status === 'CANCELLED' ? 'cancelled' : 'lost'
        this.#ctx.logger.warn({ job: this.id, status: job?.status }, `job ${this.id}: no longer held by this server (${job?.status}); stopping its training process`)
      }
      this.#process.kill()
      return undefined
    })
    this.#writes = next
    return next
  }

  #snapshot(): TrainProgress {
    return { ...this.#progress, history: [...this.#progress.history] }
  }

  #publish(type: JobEventType, data: unknown): void {
    this.#ctx.events.publish(this.id, { type, data })
  }
}
