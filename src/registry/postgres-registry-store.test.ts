/**
 * @module registry/postgres-registry-store.test
 * The RegistryStore contract against PostgreSQL: a fresh schema per block in the database
 * MAAS_TEST_POSTGRES_URL names (default postgres://postgres@127.0.0.1:5432/test), dropped
 * afterwards. When PostgreSQL is down and we are root, it starts Debian's cluster (and
 * creates the database). Otherwise it fails with what to install or run; only outside CI,
 * and only when not root, does it skip instead, loudly.
 */
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, readdirSync } from 'node:fs'
import { after, describe, it } from 'node:test'
import pg from 'pg'
import { openRegistry } from './open-registry.ts'
import { registryStoreContract } from './registry-store.contract.ts'

const url = process.env.MAAS_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const isRoot = process.getuid?.() === 0
const HOW_TO = 'install and start PostgreSQL (Debian: apt-get install postgresql && pg_ctlcluster --skip-systemctl-redirect '
  + '"$(ls /etc/postgresql)" main start), create the database (su postgres -c "createdb test"), '
  + 'or point MAAS_TEST_POSTGRES_URL at a database this user may create schemas in'

async function connect(connectionString: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 5000 })
  client.on('error', () => {})
  try {
    await client.connect()
    return client
  } catch (error) {
    await client.end().catch(() => {})
    throw error
  }
}

/** Starts every Debian PostgreSQL cluster named 'main'; true when one was there to start. */
function startDebianClusters(): boolean {
  if (!existsSync('/etc/postgresql')) return false
  const versions = readdirSync('/etc/postgresql')
  for (const version of versions) {
    try {
      execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], { stdio: 'pipe' })
    } catch {
      // Already running, or another version's cluster: the connection attempt below decides.
    }
  }
  return versions.length > 0
}

async function createDatabase(): Promise<void> {
  const target = new URL(url)
  const database = decodeURIComponent(target.pathname.slice(1))
  target.pathname = '/postgres'
  const client = await connect(target.href)
  try {
    await client.query(`create database ${pg.escapeIdentifier(database)}`)
  } finally {
    await client.end()
  }
}

/** Connects, starting the server or creating the database when allowed; a reason string when it cannot. */
async function reachPostgres(): Promise<pg.Client | string> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await connect(url)
    } catch (error) {
      const code = (error as { code?: string }).code
      const message = (error as Error).message
      if (attempt === 0 && isRoot && code === '3D000') {
        await createDatabase().catch(() => {})
      } else if (attempt === 0 && isRoot && startDebianClusters()) {
        await new Promise((resolve) => setTimeout(resolve, 1000))
      } else if (attempt > 0 && attempt < 10 && isRoot) {
        await new Promise((resolve) => setTimeout(resolve, 500))
      } else {
        return `PostgreSQL is not usable at ${url} (${message}); ${HOW_TO}`
      }
    }
  }
}

const admin = await reachPostgres()

if (typeof admin === 'string') {
  if (isRoot || process.env.CI !== undefined) {
    describe('RegistryStore contract (PostgreSQL)', () => {
      it('needs PostgreSQL', () => {
        throw new Error(admin)
      })
    })
  } else {
    process.stderr.write(`\n*** SKIPPING the PostgreSQL registry tests: ${admin} ***\n\n`)
    describe('RegistryStore contract (PostgreSQL)', { skip: admin }, () => {})
  }
} else {
  const schemas: string[] = []
  after(async () => {
    if (schemas.length > 0) await admin.query(`drop schema if exists ${schemas.map((s) => pg.escapeIdentifier(s)).join(', ')} cascade`)
    await admin.end()
  })
  registryStoreContract('PostgreSQL', async ({ now }) => {
    const schema = `maas_test_${randomBytes(6).toString('hex')}`
    await admin.query(`create schema ${pg.escapeIdentifier(schema)}`)
    schemas.push(schema)
    // Durability is not under test here; commits that skip the WAL flush keep the suite fast.
    const options = encodeURIComponent(`-c search_path=${schema} -c synchronous_commit=off`)
    return openRegistry(`${url}${url.includes('?') ? '&' : '?'}options=${options}`, { now })
  })
}
