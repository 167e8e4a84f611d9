/**
 * @module registry/kysely-audit-store
 * AuditStore over kysely: inserts only, listed newest first by id.
 */
import type { Selectable } from 'kysely'
import { InvalidArgumentError } from '../core/errors.ts'
import { AUDIT_RESULTS, type AuditEntry, type AuditFilter, type AuditStore, type NewAuditEntry } from './audit-store.ts'
import { fromJsonText, toDate } from './registry-columns.ts'
import type { RegistryContext } from './registry-context.ts'
import { assertOneOf } from './registry-names.ts'
import type { AuditLogTable } from './registry-schema.ts'

const DEFAULT_LIMIT = 100

export class KyselyAuditStore implements AuditStore {
  readonly #ctx: RegistryContext

  constructor(ctx: RegistryContext) {
    this.#ctx = ctx
  }

  async append(entry: NewAuditEntry): Promise<AuditEntry> {
    assertOneOf('audit result', entry.result, AUDIT_RESULTS)
    if (entry.actor === '' || entry.action === '') throw new InvalidArgumentError('audit actor and action must not be empty')
    const values = {
      at: entry.at?.getTime() ?? this.#ctx.now(),
      actor: entry.actor,
      action: entry.action,
      target: entry.target,
      result: entry.result,
      details: entry.details == null ? null : JSON.stringify(entry.details),
    }
    const { id } = await this.#ctx.db.insertInto('audit_log').values(values).returning('id').executeTakeFirstOrThrow()
    return toAuditEntry({ id, ...values })
  }

  async list(filter: AuditFilter = {}): Promise<AuditEntry[]> {
    const limit = filter.limit ?? DEFAULT_LIMIT
    if (!Number.isSafeInteger(limit) || limit < 1) throw new InvalidArgumentError(`audit limit '${limit}' must be a positive integer`)
    let query = this.#ctx.db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(limit)
    if (filter.actor !== undefined) query = query.where('actor', '=', filter.actor)
    if (filter.action !== undefined) query = query.where('action', '=', filter.action)
    if (filter.target !== undefined) query = query.where('target', '=', filter.target)
    if (filter.result !== undefined) query = query.where('result', '=', filter.result)
    if (filter.from !== undefined) query = query.where('at', '>=', filter.from.getTime())
    if (filter.to !== undefined) query = query.where('at', '<', filter.to.getTime())
    if (filter.beforeId !== undefined) query = query.where('id', '<', filter.beforeId)
    return (await query.execute()).map(toAuditEntry)
  }
}

function toAuditEntry(row: Selectable<AuditLogTable>): AuditEntry {
  return {
    id: row.id,
    at: toDate(row.at),
    actor: row.actor,
    action: row.action,
    target: row.target,
    result: row.result as AuditEntry['result'],
    details: fromJsonText<Record<string, unknown>>(row.details),
  }
}
