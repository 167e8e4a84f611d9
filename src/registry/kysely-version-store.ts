/**
 * @module registry/kysely-version-store
 * VersionStore over kysely. Numbers come from models.last_version, bumped with
 * UPDATE … RETURNING inside the insert's transaction: the row lock (PostgreSQL) or the
 * single writer (SQLite) makes concurrent creates get distinct, gap-free numbers.
 */
import type { Kysely, Selectable, Transaction } from 'kysely'
import { InvalidArgumentError, ModelNotFoundError } from '../core/errors.ts'
import type { ModelSignature } from '../onnx/onnx-signature.ts'
import { RegistryConflictError, RegistryPreconditionError, VersionNotFoundError } from './registry-errors.ts'
import { constraintViolationOf, toDate } from './registry-columns.ts'
import type { RegistryContext } from './registry-context.ts'
import { assertOneOf, assertVersionNumber } from './registry-names.ts'
import type { ModelVersionsTable, RegistryDatabase } from './registry-schema.ts'
import {
  VERSION_STATUSES, type ArtifactRef, type NewVersion, type VersionFilter, type VersionPatch, type VersionRecord,
  type VersionStatus, type VersionStore,
} from './version-store.ts'

const NEXT_STATUSES: Readonly<Record<VersionStatus, readonly VersionStatus[]>> = {
  REGISTERING: ['READY', 'FAILED'],
  READY: ['ARCHIVED'],
  ARCHIVED: ['READY'],
  FAILED: [],
}

type Db = Kysely<RegistryDatabase> | Transaction<RegistryDatabase>

export class KyselyVersionStore implements VersionStore {
  readonly #ctx: RegistryContext

  constructor(ctx: RegistryContext) {
    this.#ctx = ctx
  }

  async create(model: string, input: NewVersion = {}): Promise<VersionRecord> {
    if (input.artifact !== undefined) checkArtifact(input.artifact)
    const now = this.#ctx.now()
    return this.#ctx.db.transaction().execute(async (trx) => {
      const wanted = input.number
      if (wanted !== undefined && (!Number.isInteger(wanted) || wanted < 1)) throw new InvalidArgumentError(`version number must be a positive integer, got ${wanted}`)
      const allocated = await trx
        .updateTable('models')
        .set((eb) => ({ last_version: wanted === undefined ? eb('last_version', '+', 1) : wanted }))
        .where('name', '=', model)
        .$if(wanted !== undefined, (query) => query.where('last_version', '<', wanted!))
        .returning('last_version')
        .executeTakeFirst()
      if (allocated === undefined) {
        await this.#assertModel(trx, model)
        throw new RegistryConflictError(`version ${wanted} of model '${model}' exists or existed; a given number must be above every earlier one`)
      }
      const row: Selectable<ModelVersionsTable> = {
        model,
        version: allocated.last_version,
        status: 'REGISTERING',
        status_reason: null,
        ...artifactColumns(input.artifact),
        signature: input.signature === undefined ? null : JSON.stringify(input.signature),
        metrics: JSON.stringify(input.metrics ?? {}),
        created_by: input.createdBy ?? null,
        created_at: now,
        updated_at: now,
      }
      await trx.insertInto('model_versions').values(row).execute()
      return toVersionRecord(row)
    })
  }

  async get(model: string, version: number): Promise<VersionRecord> {
    return toVersionRecord(await this.#row(this.#ctx.db, model, version))
  }

  async list(model: string, filter: VersionFilter = {}): Promise<VersionRecord[]> {
    const statuses = filter.statuses ?? VERSION_STATUSES.filter((status) => status !== 'REGISTERING')
    for (const status of statuses) assertOneOf('version status', status, VERSION_STATUSES)
    await this.#assertModel(this.#ctx.db, model)
    if (statuses.length === 0) return []
    const rows = await this.#ctx.db
      .selectFrom('model_versions')
      .selectAll()
      .where('model', '=', model)
      .where('status', 'in', statuses)
      .orderBy('version')
      .execute()
    return rows.map(toVersionRecord)
  }

  async latest(model: string): Promise<VersionRecord | null> {
    await this.#assertModel(this.#ctx.db, model)
    const row = await this.#ctx.db
      .selectFrom('model_versions')
      .selectAll()
      .where('model', '=', model)
      .where('status', '=', 'READY')
      .orderBy('version', 'desc')
      .executeTakeFirst()
    return row === undefined ? null : toVersionRecord(row)
  }

  async update(model: string, version: number, patch: VersionPatch): Promise<VersionRecord> {
    if (patch.artifact !== undefined) checkArtifact(patch.artifact)
    return this.#ctx.db.transaction().execute(async (trx) => {
      const row = await this.#row(trx, model, version, true)
      if ((patch.artifact !== undefined || patch.signature !== undefined) && row.status !== 'REGISTERING') {
        throw new RegistryPreconditionError(
          `version ${version} of model '${model}' is ${row.status}; its artifact and signature change only while REGISTERING`,
        )
      }
      const changes = {
        ...(patch.artifact !== undefined && artifactColumns(patch.artifact)),
        ...(patch.signature !== undefined && { signature: JSON.stringify(patch.signature) }),
        ...(patch.metrics !== undefined && { metrics: JSON.stringify(patch.metrics) }),
        updated_at: this.#ctx.now(),
      }
      await trx.updateTable('model_versions').set(changes).where('model', '=', model).where('version', '=', version).execute()
      return toVersionRecord({ ...row, ...changes })
    })
  }

  async setStatus(model: string, version: number, status: VersionStatus, reason?: string): Promise<VersionRecord> {
    assertOneOf('version status', status, VERSION_STATUSES)
    return this.#ctx.db.transaction().execute(async (trx) => {
      const row = await this.#row(trx, model, version, true)
      const current = row.status as VersionStatus
      if (current === status) return toVersionRecord(row)
      const label = `version ${version} of model '${model}'`
      if (!NEXT_STATUSES[current].includes(status)) throw new RegistryPreconditionError(`${label} cannot go from ${current} to ${status}`)
      if (status === 'READY' && row.artifact_sha256 === null) throw new RegistryPreconditionError(`${label} has no artifact; it cannot be READY`)
      if (status === 'ARCHIVED') await assertNoAlias(trx, model, version, 'archived')
      const changes = { status, status_reason: reason ?? null, updated_at: this.#ctx.now() }
      const result = await trx
        .updateTable('model_versions')
        .set(changes)
        .where('model', '=', model)
        .where('version', '=', version)
        .where('status', '=', current)
        .executeTakeFirst()
      if (result.numUpdatedRows === 0n) throw new RegistryPreconditionError(`${label} changed status concurrently; retry`)
      return toVersionRecord({ ...row, ...changes })
    })
  }

  async delete(model: string, version: number): Promise<void> {
    try {
      await this.#ctx.db.transaction().execute(async (trx) => {
        await this.#row(trx, model, version, true)
        await assertNoAlias(trx, model, version, 'deleted')
        await trx.deleteFrom('model_versions').where('model', '=', model).where('version', '=', version).execute()
      })
    } catch (error) {
      // An alias set between our check and the delete: the foreign key refuses it.
      if (constraintViolationOf(error) === 'foreign-key') {
        throw new RegistryPreconditionError(`version ${version} of model '${model}' is in use by an alias`, { cause: error })
      }
      throw error
    }
  }

  async referencedArtifacts(): Promise<Set<string>> {
    const rows = await this.#ctx.db
      .selectFrom('model_versions')
      .select('artifact_sha256')
      .distinct()
      .where('artifact_sha256', 'is not', null)
      .execute()
    return new Set(rows.map((row) => row.artifact_sha256!))
  }

  /**
   * The version's row. With `lock` (inside a transaction) PostgreSQL locks it, so that a
   * concurrent alias set, which share-locks the row, cannot slip in between our alias check
   * and our change; SQLite has one writer and needs no lock.
   */
  async #row(db: Db, model: string, version: number, lock = false): Promise<Selectable<ModelVersionsTable>> {
    assertVersionNumber(version)
    const row = await db
      .selectFrom('model_versions')
      .selectAll()
      .where('model', '=', model)
      .where('version', '=', version)
      .$if(lock && this.#ctx.dialect === 'postgres', (query) => query.forUpdate())
      .executeTakeFirst()
    if (row !== undefined) return row
    await this.#assertModel(db, model)
    throw new VersionNotFoundError(model, version)
  }

  async #assertModel(db: Db, model: string): Promise<void> {
    const found = await db.selectFrom('models').select('name').where('name', '=', model).executeTakeFirst()
    if (found === undefined) throw new ModelNotFoundError(model)
  }
}

async function assertNoAlias(db: Db, model: string, version: number, verb: string): Promise<void> {
  const alias = await db
    .selectFrom('aliases')
    .select('name')
    .where('model', '=', model)
    .where((eb) => eb.or([eb('version', '=', version), eb('canary_version', '=', version)]))
    .orderBy('name')
    .executeTakeFirst()
  if (alias !== undefined) {
    throw new RegistryPreconditionError(`version ${version} of model '${model}' is in use by alias '${alias.name}'; it cannot be ${verb}`)
  }
}

function checkArtifact(artifact: ArtifactRef): void {
  if (!/^[0-9a-f]{64}$/.test(artifact.sha256)) throw new InvalidArgumentError(`artifact sha256 '${artifact.sha256}' must be 64 lower-case hex digits`)
  if (!Number.isSafeInteger(artifact.sizeBytes) || artifact.sizeBytes < 0) {
    throw new InvalidArgumentError(`artifact size '${artifact.sizeBytes}' must be a non-negative integer`)
  }
  if (artifact.uri === '' || artifact.format === '') throw new InvalidArgumentError('artifact uri and format must not be empty')
}

function artifactColumns(artifact: ArtifactRef | undefined) {
  return {
    artifact_sha256: artifact?.sha256 ?? null,
    artifact_uri: artifact?.uri ?? null,
    artifact_size: artifact?.sizeBytes ?? null,
    artifact_format: artifact?.format ?? null,
  }
}

function toVersionRecord(row: Selectable<ModelVersionsTable>): VersionRecord {
  const artifact = row.artifact_sha256 === null
    ? null
    : { sha256: row.artifact_sha256, uri: row.artifact_uri ?? '', sizeBytes: row.artifact_size ?? 0, format: row.artifact_format ?? '' }
  return {
    model: row.model,
    version: row.version,
    status: row.status as VersionStatus,
    statusReason: row.status_reason,
    artifact,
    signature: row.signature === null ? null : (JSON.parse(row.signature) as ModelSignature),
    metrics: JSON.parse(row.metrics) as Record<string, number>,
    createdBy: row.created_by,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  }
}
