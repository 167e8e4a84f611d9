/**
 * @module registry/registry-context
 * What every Kysely*Store shares: the database, which dialect it is, and the clock (a test
 * passes its own to expire leases without waiting).
 */
import type { Kysely } from 'kysely'
import type { RegistryDatabase, RegistryDialect } from './registry-schema.ts'

export interface RegistryContext {
  readonly db: Kysely<RegistryDatabase>
  readonly dialect: RegistryDialect
  /** Epoch milliseconds. */
  now(): number
}
