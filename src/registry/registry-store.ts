/**
 * @module registry/registry-store
 * RegistryStore: everything maas keeps about models and their operation, one small
 * interface per seam. One implementation (KyselyRegistryStore) serves SQLite and
 * PostgreSQL alike; openRegistry picks the database from a URL.
 */
import type { AliasStore } from './alias-store.ts'
import type { ApiKeyStore } from './api-key-store.ts'
import type { AuditStore } from './audit-store.ts'
import type { CardStore } from './card-store.ts'
import type { JobStore } from './job-store.ts'
import type { LineageStore } from './lineage-store.ts'
import type { ModelStore } from './model-store.ts'
import type { UsageStore } from './usage-store.ts'
import type { VersionStore } from './version-store.ts'

export interface RegistryStore {
  readonly models: ModelStore
  readonly versions: VersionStore
  readonly aliases: AliasStore
  readonly lineage: LineageStore
  readonly cards: CardStore
  readonly jobs: JobStore
  readonly keys: ApiKeyStore
  readonly usage: UsageStore
  readonly audit: AuditStore
  /** Closes the database connections; the store is unusable afterwards. */
  close(): Promise<void>
}
