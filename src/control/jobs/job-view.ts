/**
 * @module control/jobs/job-view
 * A job as the API shows it: the registry row without worker internals, dates as ISO text.
 */
import type { JobRecord, JobStatus } from '../../registry/job-store.ts'

export interface JobView {
  readonly id: string
  readonly kind: string
  readonly status: JobStatus
  readonly spec: unknown
  readonly attempts: number
  readonly progress: unknown
  readonly result: unknown
  readonly error: string | null
  /** The name of the API key that submitted it; null without keys. */
  readonly owner: string | null
  readonly createdAt: string
  readonly startedAt: string | null
  readonly finishedAt: string | null
}

export function toJobView(job: JobRecord): JobView {
  return {
    id: job.id,
    kind: job.kind,
    status: job.status,
    spec: job.spec,
    attempts: job.attempts,
    progress: job.progress,
    result: job.result,
    error: job.error,
    owner: job.owner ?? null,
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
  }
}

/** True once the job can no longer change. */
export function isFinished(status: JobStatus): boolean {
  return status === 'SUCCEEDED' || status === 'FAILED' || status === 'CANCELLED'
}
