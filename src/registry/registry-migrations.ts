/**
 * @module registry/registry-migrations
 * Brings a registry database to the latest schema at startup with kysely's Migrator. The
 * migrations live in code (no files read at run time); the Migrator records which ran, takes
 * a lock so two servers starting together do not race, and refuses a database migrated by a
 * newer maas (a migration it does not know).
 */
import { Migrator, sql, type Kysely, type MigrationProvider } from 'kysely'
import { RegistryUnavailableError } from './registry-errors.ts'
import { initialSchema } from './migrations/initial-schema.ts'
import { servingConfig } from './migrations/serving-config.ts'
import { keyScopes } from './migrations/key-scopes.ts'
import type { RegistryDatabase, RegistryDialect } from './registry-schema.ts'

/** Every migration, by name; names sort in the order they run. Append, never edit. */
export function registryMigrations(dialect: RegistryDialect): MigrationProvider {
  return {
    async getMigrations() {
      return { '0001_initial_schema': initialSchema(dialect), '0002_serving_config': servingConfig, '0003_key_scopes': keyScopes }
    },
  }
}

/** Runs the migrations that have not run yet; returns their names. */
export async function migrateRegistry(db: Kysely<RegistryDatabase>, dialect: RegistryDialect): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: registryMigrations(dialect),
    migrationTableName: 'maas_migration',
    migrationLockTableName: 'maas_migration_lock',
    // Without a schema, kysely looks for its tables in every schema of the database and
    // takes another schema's registry for this one's.
    ...(dialect === 'postgres' && { migrationTableSchema: await currentSchema(db) }),
  })
  const { error, results = [] } = await migrator.migrateToLatest()
  if (error !== undefined) {
    const failed = results.find((result) => result.status === 'Error')?.migrationName
    const detail = error instanceof Error ? error.message : String(error)
    throw new RegistryUnavailableError(
      `registry migration ${failed === undefined ? 'failed' : `'${failed}' failed`}: ${detail}`,
      { cause: error },
    )
  }
  return results.filter((result) => result.status === 'Success').map((result) => result.migrationName)
}

async function currentSchema(db: Kysely<RegistryDatabase>): Promise<string> {
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db)
  const schema = rows[0]?.schema
  if (schema == null) throw new RegistryUnavailableError('the registry database has no current schema: its search_path names no schema that exists')
  return schema
}
