/**
 * @module registry/open-registry
 * Opens the registry a URL names, migrated and ready: `postgres://…` or `postgresql://…`
 * is PostgreSQL through a pg Pool; `sqlite:PATH`, `sqlite::memory:` or a plain file path is
 * SQLite through better-sqlite3 (the embedded default: `<dataDir>/registry.sqlite`, which
 * the caller passes in — configuration is read in config/, not here).
 */
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely'
import pg from 'pg'
import { InvalidArgumentError } from '../core/errors.ts'
import { KyselyRegistryStore } from './kysely-registry-store.ts'
import { RegistryUnavailableError } from './registry-errors.ts'
import type { RegistryDatabase } from './registry-schema.ts'
import type { RegistryStore } from './registry-store.ts'

/** What a registry URL names. */
export type RegistryLocation =
  | { readonly dialect: 'sqlite'; readonly path: string }
  | { readonly dialect: 'postgres'; readonly url: string }

export interface OpenRegistryOptions {
  /** Epoch milliseconds; default Date.now. Tests pass their own. */
  readonly now?: () => number
  /** Largest number of PostgreSQL connections; default 10. */
  readonly poolSize?: number
  /** How long SQLite waits for another process's write lock; default 5000 ms. */
  readonly busyTimeoutMs?: number
}

const PG_INT8_OID = 20

/** Reads a registry URL; relative SQLite paths resolve against `cwd`. */
export function parseRegistryUrl(url: string, cwd = process.cwd()): RegistryLocation {
  if (/^postgres(ql)?:\/\//i.test(url)) return { dialect: 'postgres', url }
  if (/^sqlite:/i.test(url)) {
    const rest = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '')
    if (rest === ':memory:') return { dialect: 'sqlite', path: ':memory:' }
    if (rest === '' || rest.startsWith('//')) throw new InvalidArgumentError(`registry URL '${url}' needs a file path: sqlite:/abs/path or sqlite:relative/path`)
    return { dialect: 'sqlite', path: path.resolve(cwd, rest) }
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    throw new InvalidArgumentError(`registry URL '${redactUrl(url)}' has an unsupported scheme; use postgres://, postgresql://, sqlite: or a file path`)
  }
  if (url === '') throw new InvalidArgumentError('registry URL must not be empty')
  return { dialect: 'sqlite', path: path.resolve(cwd, url) }
}

/** Opens, migrates and returns the registry at `url`. UNAVAILABLE when the database cannot be reached. */
export async function openRegistry(url: string, options: OpenRegistryOptions = {}): Promise<RegistryStore> {
  const location = parseRegistryUrl(url)
  const db = location.dialect === 'sqlite' ? openSqlite(location.path, options) : await openPostgres(location.url, options)
  return KyselyRegistryStore.open(db, { dialect: location.dialect, now: options.now })
}

function openSqlite(file: string, options: OpenRegistryOptions): Kysely<RegistryDatabase> {
  let database: Database.Database
  try {
    if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true })
    database = new Database(file)
  } catch (error) {
    throw new RegistryUnavailableError(`cannot open the registry database '${file}': ${(error as Error).message}`, { cause: error })
  }
  // WAL lets readers (a CLI, a second server) work while one process writes.
  database.pragma('journal_mode = WAL')
  database.pragma('foreign_keys = ON')
  database.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`)
  return new Kysely<RegistryDatabase>({ dialect: new SqliteDialect({ database }) })
}

async function openPostgres(url: string, options: OpenRegistryOptions): Promise<Kysely<RegistryDatabase>> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    // bigint columns hold epoch ms, counters and sizes, all below 2^53: read them as numbers.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === PG_INT8_OID && format !== 'binary' ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  })
  // An idle connection that breaks emits 'error' on the pool; the next query reports it.
  pool.on('error', () => {})
  try {
    await pool.query('select 1')
  } catch (error) {
    await pool.end()
    throw new RegistryUnavailableError(
      `cannot reach the registry database at ${redactUrl(url)}: ${(error as Error).message}`,
      { cause: error },
    )
  }
  return new Kysely<RegistryDatabase>({ dialect: new PostgresDialect({ pool }) })
}

/** The URL with any password replaced, for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, '$1:***@')
}
