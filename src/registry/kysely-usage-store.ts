/**
 * @module registry/kysely-usage-store
 * UsageStore over kysely: INSERT … ON CONFLICT DO UPDATE adding to the counters, the same
 * statement on SQLite and PostgreSQL, so concurrent flushes never lose an increment.
 */
import type { Selectable } from 'kysely'
import { InvalidArgumentError } from '../core/errors.ts'
import type { RegistryContext } from './registry-context.ts'
import type { UsageCountersTable } from './registry-schema.ts'
import type { UsageFilter, UsageIncrement, UsageRecord, UsageStore } from './usage-store.ts'

// Key columns cannot hold NULL; '' stands for "no key" and never leaves this file.
const NO_KEY = ''
const COUNTERS = ['requests', 'samples', 'errors', 'compute_ns'] as const

export class KyselyUsageStore implements UsageStore {
  readonly #ctx: RegistryContext

  constructor(ctx: RegistryContext) {
    this.#ctx = ctx
  }

  async increment(increments: UsageIncrement | readonly UsageIncrement[]): Promise<void> {
    const list: readonly UsageIncrement[] = Array.isArray(increments) ? increments : [increments as UsageIncrement]
    const rows = list.map((increment) => this.#toRow(increment))
    if (rows.length === 0) return
    await this.#ctx.db.transaction().execute(async (trx) => {
      for (const row of rows) {
        await trx
          .insertInto('usage_counters')
          .values(row)
          .onConflict((oc) =>
            oc.columns(['key_id', 'model', 'version', 'day']).doUpdateSet((eb) => ({
              requests: eb('usage_counters.requests', '+', eb.ref('excluded.requests')),
              samples: eb('usage_counters.samples', '+', eb.ref('excluded.samples')),
              errors: eb('usage_counters.errors', '+', eb.ref('excluded.errors')),
              compute_ns: eb('usage_counters.compute_ns', '+', eb.ref('excluded.compute_ns')),
            })),
          )
          .execute()
      }
    })
  }

  async list(filter: UsageFilter = {}): Promise<UsageRecord[]> {
    let query = this.#ctx.db
      .selectFrom('usage_counters')
      .selectAll()
      .orderBy('day')
      .orderBy('model')
      .orderBy('version')
      .orderBy('key_id')
    if (filter.keyId !== undefined) query = query.where('key_id', '=', filter.keyId ?? NO_KEY)
    if (filter.model !== undefined) query = query.where('model', '=', filter.model)
    if (filter.version !== undefined) query = query.where('version', '=', filter.version)
    if (filter.fromDay !== undefined) query = query.where('day', '>=', filter.fromDay)
    if (filter.toDay !== undefined) query = query.where('day', '<=', filter.toDay)
    return (await query.execute()).map(toUsageRecord)
  }

  #toRow(increment: UsageIncrement): Selectable<UsageCountersTable> {
    if (increment.keyId === NO_KEY) throw new InvalidArgumentError('usage keyId must be null or a non-empty key id')
    const row = {
      key_id: increment.keyId ?? NO_KEY,
      model: increment.model,
      version: increment.version,
      day: new Date(increment.at?.getTime() ?? this.#ctx.now()).toISOString().slice(0, 10),
      requests: increment.requests ?? 0,
      samples: increment.samples ?? 0,
      errors: increment.errors ?? 0,
      compute_ns: Math.round(increment.computeNs ?? 0),
    }
    for (const counter of COUNTERS) {
      if (!Number.isSafeInteger(row[counter]) || row[counter] < 0) {
        throw new InvalidArgumentError(`usage ${counter} '${row[counter]}' must be a non-negative integer`)
      }
    }
    return row
  }
}

function toUsageRecord(row: Selectable<UsageCountersTable>): UsageRecord {
  return {
    keyId: row.key_id === NO_KEY ? null : row.key_id,
    model: row.model,
    version: row.version,
    day: row.day,
    requests: row.requests,
    samples: row.samples,
    errors: row.errors,
    computeNs: row.compute_ns,
  }
}
