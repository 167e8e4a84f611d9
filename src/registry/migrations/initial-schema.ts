/**
 * @module registry/migrations/initial-schema
 * Migration 0001: every table the registry needs, designed once for all later issues
 * (catalogue, jobs, keys, usage, audit). Written with kysely's schema builder so one text
 * runs on SQLite and PostgreSQL; only the audit log's identity column differs.
 */
import { sql, type Kysely, type Migration } from 'kysely'
import type { RegistryDialect } from '../registry-schema.ts'

const inList = (column: string, values: readonly string[]) =>
  sql`${sql.ref(column)} in (${sql.join(values.map((value) => sql.lit(value)))})`

/** The first migration, for the given dialect. */
export function initialSchema(dialect: RegistryDialect): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('models')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('task', 'text')
        .addColumn('labels', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('owner', 'text')
        .addColumn('visibility', 'text', (c) => c.notNull())
        .addColumn('last_version', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addCheckConstraint('models_visibility_check', inList('visibility', ['private', 'internal', 'public']))
        .execute()

      await db.schema
        .createTable('model_versions')
        .addColumn('model', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('status_reason', 'text')
        .addColumn('artifact_sha256', 'text')
        .addColumn('artifact_uri', 'text')
        .addColumn('artifact_size', 'bigint')
        .addColumn('artifact_format', 'text')
        .addColumn('signature', 'text')
        .addColumn('metrics', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('created_by', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('model_versions_pk', ['model', 'version'])
        .addForeignKeyConstraint('model_versions_model_fk', ['model'], 'models', ['name'], (fk) => fk.onDelete('cascade'))
        .addCheckConstraint('model_versions_status_check', inList('status', ['REGISTERING', 'READY', 'FAILED', 'ARCHIVED']))
        .execute()
      await db.schema.createIndex('model_versions_artifact_idx').on('model_versions').column('artifact_sha256').execute()

      await db.schema
        .createTable('aliases')
        .addColumn('model', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('canary_version', 'integer')
        .addColumn('canary_weight', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('updated_by', 'text')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('aliases_pk', ['model', 'name'])
        // RESTRICT: a version an alias points at cannot disappear underneath it.
        .addForeignKeyConstraint('aliases_version_fk', ['model', 'version'], 'model_versions', ['model', 'version'], (fk) => fk.onDelete('restrict'))
        .addForeignKeyConstraint('aliases_canary_fk', ['model', 'canary_version'], 'model_versions', ['model', 'version'], (fk) => fk.onDelete('restrict'))
        .addCheckConstraint('aliases_canary_weight_check', sql`canary_weight between 0 and 100`)
        .execute()

      await db.schema
        .createTable('lineage')
        .addColumn('model', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('operation', 'text', (c) => c.notNull())
        .addColumn('parameters', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('dataset', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('lineage_pk', ['model', 'version'])
        .addForeignKeyConstraint('lineage_version_fk', ['model', 'version'], 'model_versions', ['model', 'version'], (fk) => fk.onDelete('cascade'))
        .addCheckConstraint('lineage_operation_check', inList('operation', ['trained', 'uploaded', 'quantized', 'pruned', 'distilled']))
        .execute()

      // No foreign key on the parent: lineage is history and outlives a deleted parent.
      await db.schema
        .createTable('lineage_parents')
        .addColumn('model', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('parent_model', 'text', (c) => c.notNull())
        .addColumn('parent_version', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('lineage_parents_pk', ['model', 'version', 'parent_model', 'parent_version'])
        .addForeignKeyConstraint('lineage_parents_child_fk', ['model', 'version'], 'lineage', ['model', 'version'], (fk) => fk.onDelete('cascade'))
        .execute()
      await db.schema.createIndex('lineage_parents_parent_idx').on('lineage_parents').columns(['parent_model', 'parent_version']).execute()

      await db.schema
        .createTable('model_cards')
        .addColumn('model', 'text', (c) => c.primaryKey().references('models.name').onDelete('cascade'))
        .addColumn('markdown', 'text', (c) => c.notNull())
        .addColumn('updated_by', 'text')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute()

      await db.schema
        .createTable('jobs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('spec', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('max_attempts', 'integer', (c) => c.notNull())
        .addColumn('progress', 'text')
        .addColumn('checkpoint', 'text')
        .addColumn('result', 'text')
        .addColumn('error', 'text')
        .addColumn('owner', 'text')
        .addColumn('worker_id', 'text')
        .addColumn('worker_pid', 'integer')
        .addColumn('lease_expires_at', 'bigint')
        .addColumn('heartbeat_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('started_at', 'bigint')
        .addColumn('finished_at', 'bigint')
        .addCheckConstraint('jobs_status_check', inList('status', ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED']))
        .execute()
      await db.schema.createIndex('jobs_status_idx').on('jobs').columns(['status', 'created_at']).execute()

      await db.schema
        .createTable('api_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('prefix', 'text', (c) => c.notNull().unique())
        .addColumn('hash', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('allowed_models', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .addColumn('expires_at', 'bigint')
        .addColumn('rotated_from', 'text')
        .addCheckConstraint('api_keys_role_check', inList('role', ['admin', 'publisher', 'consumer']))
        .execute()

      // No foreign keys: usage is billing history and outlives keys, models and versions.
      await db.schema
        .createTable('usage_counters')
        .addColumn('key_id', 'text', (c) => c.notNull())
        .addColumn('model', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('day', 'text', (c) => c.notNull())
        .addColumn('requests', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('samples', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('errors', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('compute_ns', 'bigint', (c) => c.notNull().defaultTo(0))
        .addPrimaryKeyConstraint('usage_counters_pk', ['key_id', 'model', 'version', 'day'])
        .execute()
      await db.schema.createIndex('usage_counters_model_idx').on('usage_counters').columns(['model', 'day']).execute()

      await db.schema
        .createTable('audit_log')
        .addColumn('id', 'integer', (c) =>
          dialect === 'postgres' ? c.primaryKey().generatedAlwaysAsIdentity() : c.primaryKey().autoIncrement())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('target', 'text', (c) => c.notNull())
        .addColumn('result', 'text', (c) => c.notNull())
        .addColumn('details', 'text')
        .addCheckConstraint('audit_log_result_check', inList('result', ['success', 'denied', 'failure']))
        .execute()
      await db.schema.createIndex('audit_log_at_idx').on('audit_log').column('at').execute()
      await db.schema.createIndex('audit_log_actor_idx').on('audit_log').columns(['actor', 'id']).execute()
      await db.schema.createIndex('audit_log_target_idx').on('audit_log').columns(['target', 'id']).execute()
    },

    async down(db: Kysely<any>): Promise<void> {
      for (const table of [
        'audit_log', 'usage_counters', 'api_keys', 'jobs', 'model_cards', 'lineage_parents', 'lineage', 'aliases',
        'model_versions', 'models',
      ]) {
        await db.schema.dropTable(table).ifExists().execute()
      }
    },
  }
}
