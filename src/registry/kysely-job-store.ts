/**
 * @module registry/kysely-job-store
 * JobStore over kysely. A claim is a conditional UPDATE (status and lease re-checked in its
 * WHERE): PostgreSQL re-evaluates it after a concurrent winner commits and SQLite has one
 * writer, so exactly one claimer changes the row and the others try the next job.
 */
import { randomUUID } from 'node:crypto'
import type { ExpressionBuilder, Selectable, UpdateObject } from 'kysely'
import { InvalidArgumentError } from '../core/errors.ts'
import type { ClaimOptions, HeartbeatOptions, JobFilter, JobRecord, JobStatus, JobStore, NewJob } from './job-store.ts'
import { JobLeaseLostError, JobNotFoundError, RegistryConflictError, RegistryPreconditionError } from './registry-errors.ts'
import { constraintViolationOf, fromJsonText, toDate, toJsonText, toNullableDate } from './registry-columns.ts'
import type { RegistryContext } from './registry-context.ts'
import type { JobsTable, RegistryDatabase } from './registry-schema.ts'

const CLAIM_RETRIES = 20

type JobChanges =
  | UpdateObject<RegistryDatabase, 'jobs'>
  | ((eb: ExpressionBuilder<RegistryDatabase, 'jobs'>) => UpdateObject<RegistryDatabase, 'jobs'>)

/** A job a claimer may take at `now`: queued, or running on a lease that ran out with attempts left. */
const claimable = (now: number) => (eb: ExpressionBuilder<RegistryDatabase, 'jobs'>) =>
  eb.or([
    eb('status', '=', 'QUEUED'),
    eb.and([eb('status', '=', 'RUNNING'), eb('lease_expires_at', '<', now), eb('attempts', '<', eb.ref('max_attempts'))]),
  ])

export class KyselyJobStore implements JobStore {
  readonly #ctx: RegistryContext

  constructor(ctx: RegistryContext) {
    this.#ctx = ctx
  }

  async enqueue(job: NewJob): Promise<JobRecord> {
    const maxAttempts = job.maxAttempts ?? 3
    if (!Number.isSafeInteger(maxAttempts) || maxAttempts < 1) throw new InvalidArgumentError(`maxAttempts '${maxAttempts}' must be a positive integer`)
    if (job.kind === '') throw new InvalidArgumentError('job kind must not be empty')
    const now = this.#ctx.now()
    const row: Selectable<JobsTable> = {
      id: job.id ?? randomUUID(),
      kind: job.kind,
      spec: JSON.stringify(job.spec ?? null),
      status: 'QUEUED',
      attempts: 0,
      max_attempts: maxAttempts,
      progress: null,
      checkpoint: null,
      result: null,
      error: null,
      owner: job.owner ?? null,
      worker_id: null,
      worker_pid: null,
      lease_expires_at: null,
      heartbeat_at: null,
      created_at: now,
      updated_at: now,
      started_at: null,
      finished_at: null,
    }
    try {
      await this.#ctx.db.insertInto('jobs').values(row).execute()
    } catch (error) {
      if (constraintViolationOf(error) === 'unique') throw new RegistryConflictError(`job '${row.id}' already exists`, { cause: error })
      throw error
    }
    return toJobRecord(row)
  }

  async get(id: string): Promise<JobRecord> {
    const row = await this.#ctx.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst()
    if (row === undefined) throw new JobNotFoundError(id)
    return toJobRecord(row)
  }

  async list(filter: JobFilter = {}): Promise<JobRecord[]> {
    let query = this.#ctx.db.selectFrom('jobs').selectAll().orderBy('created_at').orderBy('id')
    if (filter.status !== undefined) query = query.where('status', '=', filter.status)
    if (filter.kind !== undefined) query = query.where('kind', '=', filter.kind)
    if (filter.owner !== undefined) query = query.where('owner', '=', filter.owner)
    if (filter.limit !== undefined) query = query.limit(filter.limit)
    return (await query.execute()).map(toJobRecord)
  }

  async claim({ workerId, pid, leaseMs, kinds }: ClaimOptions): Promise<JobRecord | null> {
    if (!(leaseMs > 0)) throw new InvalidArgumentError(`leaseMs '${leaseMs}' must be positive`)
    const now = this.#ctx.now()
    if (kinds?.length === 0) return null
    // A job whose worker kept dying has used its attempts: fail it rather than loop forever.
    await this.#ctx.db
      .updateTable('jobs')
      .set({ status: 'FAILED', error: 'abandoned: its lease ran out with no attempts left', lease_expires_at: null, finished_at: now, updated_at: now })
      .where('status', '=', 'RUNNING')
      .where('lease_expires_at', '<', now)
      .where((eb) => eb('attempts', '>=', eb.ref('max_attempts')))
      .execute()
    for (let attempt = 0; attempt < CLAIM_RETRIES; attempt++) {
      let candidates = this.#ctx.db.selectFrom('jobs').select('id').where(claimable(now)).orderBy('created_at').orderBy('id').limit(1)
      if (kinds !== undefined) candidates = candidates.where('kind', 'in', kinds)
      const candidate = await candidates.executeTakeFirst()
      if (candidate === undefined) return null
      const result = await this.#ctx.db
        .updateTable('jobs')
        .set((eb) => ({
          status: 'RUNNING',
          attempts: eb('attempts', '+', 1),
          worker_id: workerId,
          worker_pid: pid ?? null,
          lease_expires_at: now + leaseMs,
          heartbeat_at: now,
          started_at: eb.fn.coalesce('started_at', eb.val(now)),
          updated_at: now,
        }))
        .where('id', '=', candidate.id)
        .where(claimable(now))
        .executeTakeFirst()
      if (result.numUpdatedRows === 1n) return this.get(candidate.id)
    }
    return null
  }

  async heartbeat(id: string, workerId: string, options: HeartbeatOptions): Promise<JobRecord> {
    const now = this.#ctx.now()
    return this.#updateHeld(id, workerId, {
      lease_expires_at: now + options.leaseMs,
      heartbeat_at: now,
      ...(options.progress !== undefined && { progress: toJsonText(options.progress) }),
      ...(options.checkpoint !== undefined && { checkpoint: options.checkpoint }),
    })
  }

  async complete(id: string, workerId: string, result?: unknown): Promise<JobRecord> {
    return this.#finish(id, workerId, 'SUCCEEDED', { result: toJsonText(result) })
  }

  async fail(id: string, workerId: string, error: string): Promise<JobRecord> {
    return this.#finish(id, workerId, 'FAILED', { error })
  }

  async release(id: string, workerId: string): Promise<JobRecord> {
    return this.#updateHeld(id, workerId, (eb) => ({
      status: 'QUEUED',
      attempts: eb('attempts', '-', 1),
      worker_id: null,
      worker_pid: null,
      lease_expires_at: null,
    }))
  }

  async cancel(id: string): Promise<JobRecord> {
    const now = this.#ctx.now()
    const result = await this.#ctx.db
      .updateTable('jobs')
      .set({ status: 'CANCELLED', lease_expires_at: null, finished_at: now, updated_at: now })
      .where('id', '=', id)
      .where('status', 'in', ['QUEUED', 'RUNNING'])
      .executeTakeFirst()
    const job = await this.get(id)
    if (result.numUpdatedRows === 0n) throw new RegistryPreconditionError(`job '${id}' is already ${job.status}`)
    return job
  }

  async #finish(id: string, workerId: string, status: JobStatus, changes: { result?: string | null; error?: string }): Promise<JobRecord> {
    const now = this.#ctx.now()
    return this.#updateHeld(id, workerId, { status, ...changes, lease_expires_at: null, finished_at: now })
  }

  /** Updates the job if `workerId` holds it (RUNNING under its name); JobLeaseLostError otherwise. */
  async #updateHeld(id: string, workerId: string, changes: JobChanges): Promise<JobRecord> {
    const result = await this.#ctx.db
      .updateTable('jobs')
      .set(changes)
      .set({ updated_at: this.#ctx.now() })
      .where('id', '=', id)
      .where('status', '=', 'RUNNING')
      .where('worker_id', '=', workerId)
      .executeTakeFirst()
    const job = await this.get(id)
    if (result.numUpdatedRows === 0n) throw new JobLeaseLostError(id, workerId, job.status)
    return job
  }
}

function toJobRecord(row: Selectable<JobsTable>): JobRecord {
  return {
    id: row.id,
    kind: row.kind,
    spec: JSON.parse(row.spec) as unknown,
    status: row.status as JobStatus,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    progress: fromJsonText(row.progress),
    checkpoint: row.checkpoint,
    result: fromJsonText(row.result),
    error: row.error,
    owner: row.owner,
    workerId: row.worker_id,
    workerPid: row.worker_pid,
    leaseExpiresAt: toNullableDate(row.lease_expires_at),
    heartbeatAt: toNullableDate(row.heartbeat_at),
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
    startedAt: toNullableDate(row.started_at),
    finishedAt: toNullableDate(row.finished_at),
  }
}
