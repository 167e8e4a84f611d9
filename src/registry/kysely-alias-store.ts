/**
 * @module registry/kysely-alias-store
 * AliasStore over kysely. Setting an alias checks its versions in the same transaction as
 * the upsert; the foreign keys keep a version from vanishing under an alias afterwards.
 */
import type { Selectable, Transaction } from 'kysely'
import { InvalidArgumentError, ModelNotFoundError } from '../core/errors.ts'
import type { AliasRecord, AliasStore, AliasTarget } from './alias-store.ts'
import { AliasNotFoundError, RegistryPreconditionError, VersionNotFoundError } from './registry-errors.ts'
import { toDate } from './registry-columns.ts'
import type { RegistryContext } from './registry-context.ts'
import { assertAliasName, assertVersionNumber } from './registry-names.ts'
import type { AliasesTable, RegistryDatabase } from './registry-schema.ts'

export class KyselyAliasStore implements AliasStore {
  readonly #ctx: RegistryContext

  constructor(ctx: RegistryContext) {
    this.#ctx = ctx
  }

  async set(model: string, name: string, target: AliasTarget): Promise<AliasRecord> {
    assertAliasName(name)
    assertVersionNumber(target.version)
    const canary = target.canary ?? null
    if (canary !== null) {
      assertVersionNumber(canary.version)
      if (!Number.isInteger(canary.weight) || canary.weight < 0 || canary.weight > 100) {
        throw new InvalidArgumentError(`canary weight '${canary.weight}' must be an integer from 0 to 100`)
      }
      if (canary.version === target.version) {
        throw new InvalidArgumentError(`canary version ${canary.version} must differ from the primary version`)
      }
    }
    const row: Selectable<AliasesTable> = {
      model,
      name,
      version: target.version,
      canary_version: canary?.version ?? null,
      canary_weight: canary?.weight ?? 0,
      updated_by: target.updatedBy ?? null,
      updated_at: this.#ctx.now(),
    }
    return this.#ctx.db.transaction().execute(async (trx) => {
      const lock = this.#ctx.dialect === 'postgres'
      await assertReady(trx, model, target.version, lock)
      if (canary !== null) await assertReady(trx, model, canary.version, lock)
      const { version, canary_version, canary_weight, updated_by, updated_at } = row
      await trx
        .insertInto('aliases')
        .values(row)
        .onConflict((oc) => oc.columns(['model', 'name']).doUpdateSet({ version, canary_version, canary_weight, updated_by, updated_at }))
        .execute()
      return toAliasRecord(row)
    })
  }

  async get(model: string, name: string): Promise<AliasRecord> {
    const row = await this.#ctx.db
      .selectFrom('aliases')
      .selectAll()
      .where('model', '=', model)
      .where('name', '=', name)
      .executeTakeFirst()
    if (row !== undefined) return toAliasRecord(row)
    await this.#assertModel(model)
    throw new AliasNotFoundError(model, name)
  }

  async list(model: string): Promise<AliasRecord[]> {
    await this.#assertModel(model)
    const rows = await this.#ctx.db.selectFrom('aliases').selectAll().where('model', '=', model).orderBy('name').execute()
    return rows.map(toAliasRecord)
  }

  async listForVersion(model: string, version: number): Promise<AliasRecord[]> {
    const rows = await this.#ctx.db
      .selectFrom('aliases')
      .selectAll()
      .where('model', '=', model)
      .where((eb) => eb.or([eb('version', '=', version), eb('canary_version', '=', version)]))
      .orderBy('name')
      .execute()
    return rows.map(toAliasRecord)
  }

  async delete(model: string, name: string): Promise<void> {
    const result = await this.#ctx.db.deleteFrom('aliases').where('model', '=', model).where('name', '=', name).executeTakeFirst()
    if (result.numDeletedRows > 0n) return
    await this.#assertModel(model)
    throw new AliasNotFoundError(model, name)
  }

  async #assertModel(model: string): Promise<void> {
    const found = await this.#ctx.db.selectFrom('models').select('name').where('name', '=', model).executeTakeFirst()
    if (found === undefined) throw new ModelNotFoundError(model)
  }
}

/** With `lock` (PostgreSQL) share-locks the row until commit: archiving or deleting it waits, then sees the alias. */
async function assertReady(trx: Transaction<RegistryDatabase>, model: string, version: number, lock: boolean): Promise<void> {
  const row = await trx
    .selectFrom('model_versions')
    .select('status')
    .where('model', '=', model)
    .where('version', '=', version)
    .$if(lock, (query) => query.forShare())
    .executeTakeFirst()
  if (row === undefined) {
    const found = await trx.selectFrom('models').select('name').where('name', '=', model).executeTakeFirst()
    throw found === undefined ? new ModelNotFoundError(model) : new VersionNotFoundError(model, version)
  }
  if (row.status !== 'READY') {
    throw new RegistryPreconditionError(`version ${version} of model '${model}' is ${row.status}; an alias may point only at a READY version`)
  }
}

function toAliasRecord(row: Selectable<AliasesTable>): AliasRecord {
  return {
    model: row.model,
    name: row.name,
    version: row.version,
    canary: row.canary_version === null ? null : { version: row.canary_version, weight: row.canary_weight },
    updatedBy: row.updated_by,
    updatedAt: toDate(row.updated_at),
  }
}
