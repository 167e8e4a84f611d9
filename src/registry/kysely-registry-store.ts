/**
 * @module registry/kysely-registry-store
 * RegistryStore over any kysely database the registry schema runs on (SQLite and
 * PostgreSQL). It owns the Kysely instance: close() destroys it.
 */
import type { Kysely } from 'kysely'
import { KyselyAliasStore } from './kysely-alias-store.ts'
import { KyselyApiKeyStore } from './kysely-api-key-store.ts'
import { KyselyAuditStore } from './kysely-audit-store.ts'
import { KyselyCardStore } from './kysely-card-store.ts'
import { KyselyJobStore } from './kysely-job-store.ts'
import { KyselyLineageStore } from './kysely-lineage-store.ts'
import { KyselyModelStore } from './kysely-model-store.ts'
import { KyselyUsageStore } from './kysely-usage-store.ts'
import { KyselyVersionStore } from './kysely-version-store.ts'
import { migrateRegistry } from './registry-migrations.ts'
import type { RegistryContext } from './registry-context.ts'
import type { RegistryDatabase, RegistryDialect } from './registry-schema.ts'
import type { RegistryStore } from './registry-store.ts'

export interface KyselyRegistryStoreOptions {
  readonly dialect: RegistryDialect
  /** Epoch milliseconds; default Date.now. */
  readonly now?: () => number
}

export class KyselyRegistryStore implements RegistryStore {
  readonly models: KyselyModelStore
  readonly versions: KyselyVersionStore
  readonly aliases: KyselyAliasStore
  readonly lineage: KyselyLineageStore
  readonly cards: KyselyCardStore
  readonly jobs: KyselyJobStore
  readonly keys: KyselyApiKeyStore
  readonly usage: KyselyUsageStore
  readonly audit: KyselyAuditStore
  readonly #db: Kysely<RegistryDatabase>

  /** Wraps a database already migrated; see open(). */
  constructor(db: Kysely<RegistryDatabase>, options: KyselyRegistryStoreOptions) {
    const ctx: RegistryContext = Object.freeze({ db, dialect: options.dialect, now: options.now ?? Date.now })
    this.#db = db
    this.models = new KyselyModelStore(ctx)
    this.versions = new KyselyVersionStore(ctx)
    this.aliases = new KyselyAliasStore(ctx)
    this.lineage = new KyselyLineageStore(ctx)
    this.cards = new KyselyCardStore(ctx)
    this.jobs = new KyselyJobStore(ctx)
    this.keys = new KyselyApiKeyStore(ctx)
    this.usage = new KyselyUsageStore(ctx)
    this.audit = new KyselyAuditStore(ctx)
  }

  /** Migrates the database to the latest schema, then wraps it; destroys it if migration fails. */
  static async open(db: Kysely<RegistryDatabase>, options: KyselyRegistryStoreOptions): Promise<KyselyRegistryStore> {
    try {
      await migrateRegistry(db, options.dialect)
    } catch (error) {
      await db.destroy()
      throw error
    }
    return new KyselyRegistryStore(db, options)
  }

  async close(): Promise<void> {
    await this.#db.destroy()
  }
}
