/**
 * @module control/key-service.test
 * KeyService against a real SQLite registry in a temporary folder, with a test clock:
 * the key lifecycle, rotation grace and expiry, the audit trail, and that no plaintext key
 * ever reaches the database.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, beforeEach, describe, it } from 'node:test'
import Database from 'better-sqlite3'
import { MaasError } from '../core/errors.ts'
import { openRegistry } from '../registry/open-registry.ts'
import type { RegistryStore } from '../registry/registry-store.ts'
import { splitApiKey } from './api-key.ts'
import { KeyService } from './key-service.ts'

const dir = mkdtempSync(path.join(os.tmpdir(), 'maas-keys-'))
after(() => rmSync(dir, { recursive: true, force: true }))
const T0 = Date.parse('2030-01-01T12:00:00Z')

let now = T0
let registry: RegistryStore
let file: string
let keys: KeyService
let count = 0

beforeEach(async () => {
  now = T0
  file = path.join(dir, `registry-${++count}.sqlite`)
  registry = await openRegistry(file, { now: () => now })
  keys = new KeyService({ registry, now: () => now })
})

function rowsOf(table: string): Record<string, unknown>[] {
  const db = new Database(file, { readonly: true })
  try {
    return db.prepare(`SELECT * FROM ${table}`).all() as Record<string, unknown>[]
  } finally {
    db.close()
  }
}

async function rejectsWith(promise: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof MaasError, String(error))
    assert.equal(error.code, code)
    assert.match(error.message, message)
    return true
  })
}

describe('KeyService', () => {
  it('creates a key whose plaintext is returned once and stored nowhere, only its prefix and hash', async () => {
    const { key, record } = await keys.create({ name: 'ci-bot', role: 'consumer', models: ['b', 'a', 'a'] }, 'root')
    const { prefix, secret } = splitApiKey(key)!
    assert.equal(record.prefix, prefix)
    assert.deepEqual(record.allowedModels, ['a', 'b'])
    assert.equal(record.status, 'active')
    assert.ok(!('hash' in record), 'records leave the service without their hash')
    await registry.close()
    const stored = JSON.stringify([...rowsOf('api_keys'), ...rowsOf('audit_log')])
    assert.ok(!stored.includes(secret) && !stored.includes(key), 'neither the key nor its secret is in the database')
    const [row] = rowsOf('api_keys')
    assert.match(String(row!.hash), /^sha256:[0-9a-f]{64}$/)
  })

  it('verifies the plaintext against the stored record', async () => {
    const { key, record } = await keys.create({ role: 'publisher' })
    const stored = await keys.findByPrefix(record.prefix)
    assert.ok(stored && keys.verify(key, stored))
    assert.equal(keys.verify(`${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`, stored), false)
    assert.equal(record.name, `key-${record.prefix}`, 'an unnamed key is named after its prefix')
  })

  it('lists keys without revoked ones unless asked, and gets one by id', async () => {
    const a = await keys.create({ name: 'a', role: 'admin' })
    now += 1
    const b = await keys.create({ name: 'b', role: 'consumer' })
    await keys.revoke(b.record.id)
    assert.deepEqual((await keys.list()).map((key) => key.name), ['a'])
    assert.deepEqual((await keys.list({ includeRevoked: true })).map((key) => [key.name, key.status]), [['a', 'active'], ['b', 'revoked']])
    assert.equal((await keys.get(a.record.id)).name, 'a')
    await rejectsWith(keys.get('nope'), 'NOT_FOUND', /API key 'nope' is not found/)
  })

  it('keeps the old key working for the grace period after a rotation, then reports it expired', async () => {
    const old = await keys.create({ name: 'svc', role: 'publisher', models: ['m'] })
    const rotated = await keys.rotate(old.record.id, { graceSeconds: 60 }, 'root')
    assert.notEqual(rotated.key, old.key)
    assert.deepEqual(
      [rotated.record.name, rotated.record.role, rotated.record.allowedModels, rotated.record.rotatedFrom],
      ['svc', 'publisher', ['m'], old.record.id],
    )
    assert.equal(rotated.previous.status, 'active')
    assert.equal(rotated.previous.expiresAt?.getTime(), T0 + 60_000)
    now = T0 + 59_999
    assert.equal((await keys.get(old.record.id)).status, 'active')
    now = T0 + 60_000
    assert.equal((await keys.get(old.record.id)).status, 'expired')
    assert.equal((await keys.get(rotated.record.id)).status, 'active')
    await rejectsWith(keys.rotate(old.record.id), 'FAILED_PRECONDITION', /expired at 2030-01-01T12:01:00.000Z; create a new key instead/)
  })

  it('revokes the old key at once for a grace of 0, and refuses to rotate a revoked key', async () => {
    const old = await keys.create({ role: 'consumer' })
    const rotated = await keys.rotate(old.record.id, { graceSeconds: 0 })
    assert.equal(rotated.previous.status, 'revoked')
    await rejectsWith(keys.rotate(old.record.id), 'FAILED_PRECONDITION', /is revoked/)
    await rejectsWith(keys.rotate(rotated.record.id, { graceSeconds: 31 * 86_400 }), 'INVALID_ARGUMENT', /grace period must be an integer number of seconds from 0 to 2592000/)
  })

  it('expires a key created with an expiry, and refuses expiries in the past', async () => {
    const { record } = await keys.create({ role: 'consumer', expiresAt: new Date(T0 + 1000) })
    assert.equal(record.status, 'active')
    now = T0 + 1000
    assert.equal((await keys.get(record.id)).status, 'expired')
    await rejectsWith(keys.create({ role: 'consumer', expiresAt: new Date(T0) }), 'INVALID_ARGUMENT', /is not in the future/)
  })

  it('refuses to revoke the last active admin key', async () => {
    const first = await keys.create({ name: 'root', role: 'admin' })
    await rejectsWith(keys.revoke(first.record.id), 'FAILED_PRECONDITION', /last active admin key/)
    const second = await keys.create({ name: 'root2', role: 'admin' })
    assert.equal((await keys.revoke(first.record.id)).status, 'revoked')
    assert.ok(await keys.hasActiveAdmin())
    assert.equal((await keys.get(second.record.id)).status, 'active')
  })

  it('validates names, roles and models with messages that name the fault', async () => {
    await rejectsWith(keys.create({ role: 'root' as never }), 'INVALID_ARGUMENT', /key role 'root' must be one of admin, publisher, consumer/)
    await rejectsWith(keys.create({ role: 'consumer', name: ' x' }), 'INVALID_ARGUMENT', /key name ' x' must be 1-64/)
    await rejectsWith(keys.create({ role: 'consumer', models: ['ok', 'bad/name'] }), 'INVALID_ARGUMENT', /model name 'bad\/name'/)
  })

  it('writes an audit entry for every action with its actor and result, never the key', async () => {
    const created = await keys.create({ name: 'ci', role: 'consumer' }, 'root')
    const rotated = await keys.rotate(created.record.id, { graceSeconds: 10 }, 'root')
    await keys.revoke(rotated.record.id, 'ops')
    await keys.revoke('missing', 'ops').catch(() => {})
    const entries = (await registry.audit.list()).reverse()
    assert.deepEqual(entries.map((entry) => [entry.actor, entry.action, entry.target, entry.result]), [
      ['root', 'key.create', `key:${created.record.id}`, 'success'],
      ['root', 'key.rotate', `key:${created.record.id}`, 'success'],
      ['ops', 'key.revoke', `key:${rotated.record.id}`, 'success'],
      ['ops', 'key.revoke', 'key:missing', 'failure'],
    ])
    assert.equal(entries[0]!.details?.prefix, `maas_${created.record.prefix}_…`)
    assert.equal(entries[1]!.details?.new_key, rotated.record.id)
    assert.match(String(entries[3]!.details?.error), /not found/)
    const text = JSON.stringify(entries)
    assert.ok(!text.includes(splitApiKey(created.key)!.secret) && !text.includes(splitApiKey(rotated.key)!.secret))
  })

  it('registers a key made elsewhere by its hash, and refuses a malformed one', async () => {
    const outside = 'maas_abcd2345_' + 'x'.repeat(43)
    const record = await keys.register(outside, { name: 'admin', role: 'admin' }, 'system')
    assert.equal(record.prefix, 'abcd2345')
    assert.ok(keys.verify(outside, (await keys.findByPrefix('abcd2345'))!))
    await rejectsWith(keys.register('maas_nope', { name: 'admin', role: 'admin' }), 'INVALID_ARGUMENT', /not an API key/)
    await rejectsWith(keys.register(outside, { name: 'admin', role: 'admin' }), 'ALREADY_EXISTS', /prefix 'abcd2345'/)
    assert.equal((await registry.audit.list({ action: 'key.import' })).length, 3)
  })
})
