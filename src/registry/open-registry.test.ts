/**
 * @module registry/open-registry.test
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, describe, it } from 'node:test'
import Database from 'better-sqlite3'
import { MaasError } from '../core/errors.ts'
import { openRegistry, parseRegistryUrl, redactUrl } from './open-registry.ts'

const dir = mkdtempSync(path.join(os.tmpdir(), 'maas-open-registry-'))
after(() => rmSync(dir, { recursive: true, force: true }))

describe('parseRegistryUrl', () => {
  it('reads PostgreSQL URLs as they are', () => {
    for (const url of ['postgres://u:p@db:5432/maas', 'postgresql://db/maas?sslmode=require']) {
      assert.deepEqual(parseRegistryUrl(url), { dialect: 'postgres', url })
    }
  })

  it('reads sqlite: URLs and plain paths as SQLite files, relative to cwd', () => {
    assert.deepEqual(parseRegistryUrl('sqlite:/var/lib/maas/registry.sqlite'), { dialect: 'sqlite', path: '/var/lib/maas/registry.sqlite' })
    assert.deepEqual(parseRegistryUrl('sqlite:///var/lib/maas/r.sqlite'), { dialect: 'sqlite', path: '/var/lib/maas/r.sqlite' })
    assert.deepEqual(parseRegistryUrl('sqlite:data/r.sqlite', '/srv'), { dialect: 'sqlite', path: '/srv/data/r.sqlite' })
    assert.deepEqual(parseRegistryUrl('data/registry.sqlite', '/srv'), { dialect: 'sqlite', path: '/srv/data/registry.sqlite' })
    assert.deepEqual(parseRegistryUrl('/abs/registry.sqlite'), { dialect: 'sqlite', path: '/abs/registry.sqlite' })
    assert.deepEqual(parseRegistryUrl('sqlite::memory:'), { dialect: 'sqlite', path: ':memory:' })
  })

  it('refuses other schemes and empty URLs, without echoing passwords', () => {
    for (const url of ['mysql://u:secret@db/maas', 'sqlite:', 'sqlite://host/x', '']) {
      assert.throws(() => parseRegistryUrl(url), (error: unknown) => error instanceof MaasError && error.code === 'INVALID_ARGUMENT' && !error.message.includes('secret'))
    }
  })
})

describe('redactUrl', () => {
  it('hides the password only', () => {
    assert.equal(redactUrl('postgres://maas:s3cr3t@db:5432/maas'), 'postgres://maas:***@db:5432/maas')
    assert.equal(redactUrl('postgres://maas@db/maas'), 'postgres://maas@db/maas')
  })
})

describe('openRegistry', () => {
  it('creates the SQLite file and its folder, in WAL mode with foreign keys on', async () => {
    const file = path.join(dir, 'nested', 'registry.sqlite')
    const store = await openRegistry(file)
    await store.models.create({ name: 'kept' })
    await store.close()
    const raw = new Database(file, { readonly: true })
    try {
      assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal')
      assert.deepEqual(raw.prepare('select name from maas_migration').all(), [{ name: '0001_initial_schema' }, { name: '0002_serving_config' }, { name: '0003_key_scopes' }])
    } finally {
      raw.close()
    }
  })

  it('migrates idempotently: reopening keeps the data and runs nothing twice', async () => {
    const file = path.join(dir, 'reopen.sqlite')
    const first = await openRegistry(`sqlite:${file}`)
    await first.models.create({ name: 'survivor' })
    await first.close()
    const second = await openRegistry(`sqlite:${file}`)
    try {
      assert.equal((await second.models.get('survivor')).name, 'survivor')
      // Foreign keys are enforced per connection: a card for a missing model is refused.
      await assert.rejects(second.cards.put('ghost', '# x'), (error: unknown) => error instanceof MaasError && error.code === 'NOT_FOUND')
    } finally {
      await second.close()
    }
  })

  it('refuses a database migrated by a newer maas', async () => {
    const file = path.join(dir, 'newer.sqlite')
    await (await openRegistry(file)).close()
    const raw = new Database(file)
    raw.prepare("insert into maas_migration (name, timestamp) values ('9999_from_the_future', '2099-01-01')").run()
    raw.close()
    await assert.rejects(openRegistry(file), (error: unknown) => error instanceof MaasError && error.code === 'UNAVAILABLE')
  })

  it('answers UNAVAILABLE when PostgreSQL cannot be reached, without the password', async () => {
    await assert.rejects(openRegistry('postgres://maas:secret@127.0.0.1:1/maas'), (error: unknown) => {
      assert.ok(error instanceof MaasError)
      assert.equal(error.code, 'UNAVAILABLE')
      assert.match(error.message, /127\.0\.0\.1:1/)
      assert.doesNotMatch(error.message, /secret/)
      return true
    })
  })
})
