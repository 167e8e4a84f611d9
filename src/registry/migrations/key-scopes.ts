/**
 * @module registry/migrations/key-scopes
 * Migration 0003: scopes of an API key beyond its role (e.g. `metrics`, for a scraper that
 * may read /metrics and nothing else), as JSON text.
 */
import type { Kysely, Migration } from 'kysely'

export const keyScopes: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema.alterTable('api_keys').addColumn('scopes', 'text').execute()
  },
}
