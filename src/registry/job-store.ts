/**
 * @module registry/job-store
 * The jobs seam: a durable queue for training (and other long) jobs. A worker claims a job
 * with a lease and renews it by heartbeat; when a server dies its RUNNING job's lease runs
 * out and the next claim takes it over, with its checkpoint, to resume.
 */

export type JobStatus = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED'

export const JOB_STATUSES: readonly JobStatus[] = Object.freeze(['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'])

export interface JobRecord {
  readonly id: string
  /** What runs it, e.g. 'train', 'quantize'. */
  readonly kind: string
  readonly spec: unknown
  readonly status: JobStatus
  /** Claims so far, the current one included; a clean release gives its attempt back. */
  readonly attempts: number
  /** A lease that runs out after this many claims fails the job instead of re-queuing it. */
  readonly maxAttempts: number
  readonly progress: unknown
  /** Where the latest checkpoint is (an artifact sha256 or URI). */
  readonly checkpoint: string | null
  readonly result: unknown
  readonly error: string | null
  readonly owner: string | null
  readonly workerId: string | null
  readonly workerPid: number | null
  readonly leaseExpiresAt: Date | null
  readonly heartbeatAt: Date | null
  readonly createdAt: Date
  readonly updatedAt: Date
  readonly startedAt: Date | null
  readonly finishedAt: Date | null
}

export interface NewJob {
  /** Defaults to a random UUID; ALREADY_EXISTS when taken. */
  readonly id?: string
  readonly kind: string
  readonly spec: unknown
  readonly owner?: string | null
  /** Default 3. */
  readonly maxAttempts?: number
}

export interface JobFilter {
  readonly status?: JobStatus
  readonly kind?: string
  readonly owner?: string
  readonly limit?: number
}

export interface ClaimOptions {
  readonly workerId: string
  readonly pid?: number
  readonly leaseMs: number
  /** Only jobs of these kinds; default any. */
  readonly kinds?: readonly string[]
}

export interface HeartbeatOptions {
  readonly leaseMs: number
  readonly progress?: unknown
  readonly checkpoint?: string | null
}

export interface JobStore {
  enqueue(job: NewJob): Promise<JobRecord>
  /** JobNotFoundError when absent. */
  get(id: string): Promise<JobRecord>
  /** Oldest first. */
  list(filter?: JobFilter): Promise<JobRecord[]>
  /**
   * Takes the oldest QUEUED job, or a RUNNING one whose lease ran out, for this worker; null
   * when there is none. Exactly one of several concurrent claimers gets a given job.
   */
  claim(options: ClaimOptions): Promise<JobRecord | null>
  /** Renews the lease and saves progress; JobLeaseLostError when the worker no longer holds the job. */
  heartbeat(id: string, workerId: string, options: HeartbeatOptions): Promise<JobRecord>
  /** RUNNING → SUCCEEDED; JobLeaseLostError as for heartbeat. */
  complete(id: string, workerId: string, result?: unknown): Promise<JobRecord>
  /** RUNNING → FAILED; JobLeaseLostError as for heartbeat. */
  fail(id: string, workerId: string, error: string): Promise<JobRecord>
  /** RUNNING → QUEUED keeping progress and checkpoint, for a worker that stops cleanly; the attempt is not counted. */
  release(id: string, workerId: string): Promise<JobRecord>
  /** QUEUED or RUNNING → CANCELLED (its worker learns at its next heartbeat); FAILED_PRECONDITION once finished. */
  cancel(id: string): Promise<JobRecord>
}
