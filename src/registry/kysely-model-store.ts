/**
 * @module registry/kysely-model-store
 * ModelStore over kysely, for SQLite and PostgreSQL alike.
 */
import type { Selectable } from 'kysely'
import { InvalidArgumentError, ModelNotFoundError } from '../core/errors.ts'
import { VISIBILITIES, type ModelFilter, type ModelPatch, type ModelRecord, type ModelStore, type NewModel } from './model-store.ts'
import { RegistryConflictError, RegistryPreconditionError } from './registry-errors.ts'
import { constraintViolationOf, toDate } from './registry-columns.ts'
import type { RegistryContext } from './registry-context.ts'
import { assertModelName, assertOneOf } from './registry-names.ts'
import type { ModelsTable } from './registry-schema.ts'

export class KyselyModelStore implements ModelStore {
  readonly #ctx: RegistryContext

  constructor(ctx: RegistryContext) {
    this.#ctx = ctx
  }

  async create(model: NewModel): Promise<ModelRecord> {
    assertModelName(model.name)
    const visibility = model.visibility ?? 'private'
    assertOneOf('visibility', visibility, VISIBILITIES)
    const now = this.#ctx.now()
    const row = {
      name: model.name,
      description: model.description ?? '',
      task: model.task ?? null,
      labels: JSON.stringify(checkLabels(model.labels ?? {})),
      owner: model.owner ?? null,
      visibility,
      serving_config: model.servingConfig == null ? null : JSON.stringify(model.servingConfig),
      last_version: 0,
      created_at: now,
      updated_at: now,
    }
    try {
      await this.#ctx.db.insertInto('models').values(row).execute()
    } catch (error) {
      if (constraintViolationOf(error) === 'unique') throw new RegistryConflictError(`model '${model.name}' already exists`, { cause: error })
      throw error
    }
    return toModelRecord(row)
  }

  async get(name: string): Promise<ModelRecord> {
    const row = await this.#ctx.db.selectFrom('models').selectAll().where('name', '=', name).executeTakeFirst()
    if (row === undefined) throw new ModelNotFoundError(name)
    return toModelRecord(row)
  }

  async list(filter: ModelFilter = {}): Promise<ModelRecord[]> {
    let query = this.#ctx.db.selectFrom('models').selectAll().orderBy('name')
    if (filter.owner !== undefined) query = query.where('owner', '=', filter.owner)
    if (filter.visibility !== undefined) query = query.where('visibility', '=', filter.visibility)
    if (filter.task !== undefined) query = query.where('task', '=', filter.task)
    if (filter.after !== undefined) query = query.where('name', '>', filter.after)
    const wanted = Object.entries(filter.labels ?? {})
    // Labels are JSON text, so their filter runs here; a limit must then wait for it.
    if (filter.limit !== undefined && wanted.length === 0) query = query.limit(filter.limit)
    const records = (await query.execute()).map(toModelRecord)
    const matching = records.filter((record) => wanted.every(([key, value]) => record.labels[key] === value))
    return filter.limit === undefined ? matching : matching.slice(0, filter.limit)
  }

  async update(name: string, patch: ModelPatch): Promise<ModelRecord> {
    if (patch.visibility !== undefined) assertOneOf('visibility', patch.visibility, VISIBILITIES)
    const result = await this.#ctx.db
      .updateTable('models')
      .set({
        ...(patch.description !== undefined && { description: patch.description }),
        ...(patch.task !== undefined && { task: patch.task }),
        ...(patch.labels !== undefined && { labels: JSON.stringify(checkLabels(patch.labels)) }),
        ...(patch.owner !== undefined && { owner: patch.owner }),
        ...(patch.visibility !== undefined && { visibility: patch.visibility }),
        ...(patch.servingConfig !== undefined && { serving_config: patch.servingConfig === null ? null : JSON.stringify(patch.servingConfig) }),
        updated_at: this.#ctx.now(),
      })
      .where('name', '=', name)
      .executeTakeFirst()
    if (result.numUpdatedRows === 0n) throw new ModelNotFoundError(name)
    return this.get(name)
  }

  async delete(name: string): Promise<void> {
    try {
      await this.#ctx.db.transaction().execute(async (trx) => {
        const alias = await trx.selectFrom('aliases').select('name').where('model', '=', name).orderBy('name').executeTakeFirst()
        if (alias !== undefined) {
          throw new RegistryPreconditionError(`model '${name}' still has alias '${alias.name}'; delete its aliases first`)
        }
        const result = await trx.deleteFrom('models').where('name', '=', name).executeTakeFirst()
        if (result.numDeletedRows === 0n) throw new ModelNotFoundError(name)
      })
    } catch (error) {
      // An alias set between our check and the delete: its foreign key stops the cascade.
      if (constraintViolationOf(error) === 'foreign-key') {
        throw new RegistryPreconditionError(`model '${name}' gained an alias while being deleted; delete its aliases first`, { cause: error })
      }
      throw error
    }
  }
}

function checkLabels(labels: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  for (const [key, value] of Object.entries(labels)) {
    if (typeof value !== 'string') throw new InvalidArgumentError(`label '${key}' must have a string value`)
  }
  return labels
}

function toModelRecord(row: Selectable<ModelsTable>): ModelRecord {
  return {
    name: row.name,
    description: row.description,
    task: row.task,
    labels: JSON.parse(row.labels) as Record<string, string>,
    owner: row.owner,
    visibility: row.visibility as ModelRecord['visibility'],
    servingConfig: row.serving_config == null ? null : (JSON.parse(row.serving_config) as Record<string, unknown>),
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  }
}
