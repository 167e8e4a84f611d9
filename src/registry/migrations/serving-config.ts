/**
 * @module registry/migrations/serving-config
 * Migration 0002: a model's serving configuration (Triton's config.json, as JSON text), so a
 * model served from the registry keeps max_batch_size, dynamic batching, instances and warm-up.
 */
import type { Kysely, Migration } from 'kysely'

export const servingConfig: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema.alterTable('models').addColumn('serving_config', 'text').execute()
  },
}
