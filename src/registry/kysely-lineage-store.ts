/**
 * @module registry/kysely-lineage-store
 * LineageStore over kysely: a lineage row per version and its parent edges. Graph walks
 * are breadth-first, one query per version visited: lineage graphs are small and shallow.
 */
import type { Kysely, Transaction } from 'kysely'
import { InvalidArgumentError, ModelNotFoundError } from '../core/errors.ts'
import {
  LINEAGE_OPERATIONS, type LineageRecord, type LineageStore, type NewLineage, type VersionRef,
} from './lineage-store.ts'
import { RegistryConflictError, VersionNotFoundError } from './registry-errors.ts'
import { constraintViolationOf, toDate } from './registry-columns.ts'
import type { RegistryContext } from './registry-context.ts'
import { assertOneOf, assertVersionNumber } from './registry-names.ts'
import type { RegistryDatabase } from './registry-schema.ts'

type Db = Kysely<RegistryDatabase> | Transaction<RegistryDatabase>

const keyOf = (ref: VersionRef): string => `${ref.model}\0${ref.version}`

export class KyselyLineageStore implements LineageStore {
  readonly #ctx: RegistryContext

  constructor(ctx: RegistryContext) {
    this.#ctx = ctx
  }

  async record(version: VersionRef, lineage: NewLineage): Promise<LineageRecord> {
    assertOneOf('lineage operation', lineage.operation, LINEAGE_OPERATIONS)
    const parents = lineage.parents ?? []
    if (new Set(parents.map(keyOf)).size !== parents.length) throw new InvalidArgumentError('lineage parents must not repeat')
    const createdAt = this.#ctx.now()
    try {
      await this.#ctx.db.transaction().execute(async (trx) => {
        await assertVersion(trx, version)
        for (const parent of parents) await assertVersion(trx, parent)
        const ancestors = new Set((await walk(trx, parents, 'up')).map(keyOf))
        for (const parent of parents) ancestors.add(keyOf(parent))
        if (ancestors.has(keyOf(version))) {
          throw new InvalidArgumentError(`version ${version.version} of model '${version.model}' cannot descend from itself`)
        }
        await trx
          .insertInto('lineage')
          .values({
            model: version.model,
            version: version.version,
            operation: lineage.operation,
            parameters: JSON.stringify(lineage.parameters ?? {}),
            dataset: lineage.dataset ?? null,
            created_at: createdAt,
          })
          .execute()
        if (parents.length > 0) {
          await trx
            .insertInto('lineage_parents')
            .values(parents.map((parent, position) => ({
              model: version.model,
              version: version.version,
              position,
              parent_model: parent.model,
              parent_version: parent.version,
            })))
            .execute()
        }
      })
    } catch (error) {
      if (constraintViolationOf(error) === 'unique') {
        throw new RegistryConflictError(`version ${version.version} of model '${version.model}' already has lineage`, { cause: error })
      }
      throw error
    }
    return {
      model: version.model,
      version: version.version,
      operation: lineage.operation,
      parameters: lineage.parameters ?? {},
      dataset: lineage.dataset ?? null,
      parents: parents.map(({ model, version }) => ({ model, version })),
      createdAt: new Date(createdAt),
    }
  }

  async get(version: VersionRef): Promise<LineageRecord | null> {
    const row = await this.#ctx.db
      .selectFrom('lineage')
      .selectAll()
      .where('model', '=', version.model)
      .where('version', '=', version.version)
      .executeTakeFirst()
    if (row === undefined) {
      await assertVersion(this.#ctx.db, version)
      return null
    }
    return {
      model: row.model,
      version: row.version,
      operation: row.operation as LineageRecord['operation'],
      parameters: JSON.parse(row.parameters) as Record<string, unknown>,
      dataset: row.dataset,
      parents: await parentsOf(this.#ctx.db, version),
      createdAt: toDate(row.created_at),
    }
  }

  async parents(version: VersionRef): Promise<VersionRef[]> {
    return parentsOf(this.#ctx.db, version)
  }

  async children(version: VersionRef): Promise<VersionRef[]> {
    return childrenOf(this.#ctx.db, version)
  }

  async ancestors(version: VersionRef): Promise<VersionRef[]> {
    return walk(this.#ctx.db, [version], 'up')
  }

  async descendants(version: VersionRef): Promise<VersionRef[]> {
    return walk(this.#ctx.db, [version], 'down')
  }
}

async function parentsOf(db: Db, ref: VersionRef): Promise<VersionRef[]> {
  const rows = await db
    .selectFrom('lineage_parents')
    .select(['parent_model', 'parent_version'])
    .where('model', '=', ref.model)
    .where('version', '=', ref.version)
    .orderBy('position')
    .execute()
  return rows.map((row) => ({ model: row.parent_model, version: row.parent_version }))
}

async function childrenOf(db: Db, ref: VersionRef): Promise<VersionRef[]> {
  const rows = await db
    .selectFrom('lineage_parents')
    .select(['model', 'version'])
    .where('parent_model', '=', ref.model)
    .where('parent_version', '=', ref.version)
    .orderBy('model')
    .orderBy('version')
    .execute()
  return rows.map((row) => ({ model: row.model, version: row.version }))
}

/** Breadth-first from `start` (not included), each version once. */
async function walk(db: Db, start: readonly VersionRef[], direction: 'up' | 'down'): Promise<VersionRef[]> {
  const seen = new Set(start.map(keyOf))
  const found: VersionRef[] = []
  let frontier = [...start]
  while (frontier.length > 0) {
    const next: VersionRef[] = []
    for (const ref of frontier) {
      for (const neighbour of await (direction === 'up' ? parentsOf(db, ref) : childrenOf(db, ref))) {
        if (seen.has(keyOf(neighbour))) continue
        seen.add(keyOf(neighbour))
        found.push(neighbour)
        next.push(neighbour)
      }
    }
    frontier = next
  }
  return found
}

async function assertVersion(db: Db, ref: VersionRef): Promise<void> {
  assertVersionNumber(ref.version)
  const row = await db
    .selectFrom('model_versions')
    .select('version')
    .where('model', '=', ref.model)
    .where('version', '=', ref.version)
    .executeTakeFirst()
  if (row !== undefined) return
  const model = await db.selectFrom('models').select('name').where('name', '=', ref.model).executeTakeFirst()
  throw model === undefined ? new ModelNotFoundError(ref.model) : new VersionNotFoundError(ref.model, ref.version)
}
