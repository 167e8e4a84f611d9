/**
 * @module control/jobs/job-runner
 * Runs queued train jobs on this server: claims them from the registry (a lease renewed by
 * heartbeat; a RUNNING job whose server died is claimed again once its lease runs out, and
 * resumes from its checkpoint), at most `concurrency` at a time, each in its own child
 * process. Polls the queue, and is woken at once by a submission. `stop()` ends the children
 * and hands their jobs back to the queue, checkpoints kept.
 */
import { randomUUID } from 'node:crypto'
import os from 'node:os'
import type { JobExecutionContext } from './train-job-execution.ts'
import { TrainJobExecution } from './train-job-execution.ts'

/** The job kind this runner executes. */
export const TRAIN_JOB_KIND = 'train'

export interface JobRunnerOptions extends Omit<JobExecutionContext, 'workerId'> {
  readonly concurrency: number
  /** How often the queue is polled for jobs (and for leases that ran out). Default 1 s. */
  readonly pollMs?: number
}

export class JobRunner {
  /** Identifies this server process in the job rows it claims. */
  readonly workerId = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`
  readonly #options: JobRunnerOptions
  readonly #running = new Map<string, TrainJobExecution>()
  #timer: NodeJS.Timeout | undefined
  #claiming: Promise<void> | undefined
  #again = false
  #stopped = false

  constructor(options: JobRunnerOptions) {
    this.#options = options
  }

  /** Starts polling (and claims right away). */
  start(): void {
    if (this.#timer || this.#stopped) return
    this.#timer = setInterval(() => this.wake(), this.#options.pollMs ?? 1000)
    this.#timer.unref()
    this.wake()
  }

  /** Claims jobs now, up to the concurrency limit. */
  wake(): void {
    if (this.#stopped || !this.#timer) return
    if (this.#claiming) {
      this.#again = true
      return
    }
    this.#claiming = this.#claimAll()
      .catch((error: unknown) => this.#options.logger.error({ err: error }, 'claiming jobs failed'))
      .finally(() => {
        this.#claiming = undefined
        if (this.#again) {
          this.#again = false
          this.wake()
        }
      })
  }

  /** Ends the job's child if it runs here (the registry already says CANCELLED); false when it does not. */
  cancel(id: string): boolean {
    const execution = this.#running.get(id)
    execution?.kill('cancelled')
    return execution !== undefined
  }

  /** Ids of the jobs running on this server. */
  get running(): readonly string[] {
    return [...this.#running.keys()]
  }

  /** Stops claiming, ends every child and re-queues their jobs. */
  async stop(): Promise<void> {
    this.#stopped = true
    clearInterval(this.#timer)
    await this.#claiming
    const executions = [...this.#running.values()]
    for (const execution of executions) execution.kill('stopping')
    await Promise.all(executions.map((execution) => execution.done))
  }

  async #claimAll(): Promise<void> {
    const { registry, concurrency, leaseMs } = this.#options
    while (!this.#stopped && this.#running.size < concurrency) {
      const job = await registry.jobs.claim({ workerId: this.workerId, pid: process.pid, leaseMs, kinds: [TRAIN_JOB_KIND] })
      if (job === null) return
      if (this.#stopped) {
        await registry.jobs.release(job.id, this.workerId)
        return
      }
      let execution: TrainJobExecution
      try {
        execution = new TrainJobExecution(job, { ...this.#options, workerId: this.workerId })
      } catch (error) {
        await registry.jobs.fail(job.id, this.workerId, `cannot start the training process: ${(error as Error).message}`)
        continue
      }
      this.#running.set(job.id, execution)
      void execution.done.then(() => {
        this.#running.delete(job.id)
        this.wake()
      })
    }
  }
}
