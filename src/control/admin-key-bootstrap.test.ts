/**
 * @module control/admin-key-bootstrap.test
 * The admin key bootstrap against a real SQLite registry and a real data folder: the file
 * (mode 0600, never overwritten), MAAS_ADMIN_KEY (added, kept, refused), and the audit log.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { MaasError } from '../core/errors.ts'
import { openRegistry } from '../registry/open-registry.ts'
import type { RegistryStore } from '../registry/registry-store.ts'
import { generateApiKey, splitApiKey } from './api-key.ts'
import { ADMIN_KEY_FILE, bootstrapAdminKey } from './admin-key-bootstrap.ts'
import { KeyService } from './key-service.ts'

let dataDir: string
let registry: RegistryStore
let keys: KeyService

beforeEach(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'maas-bootstrap-'))
  registry = await openRegistry(path.join(dataDir, 'registry.sqlite'))
  keys = new KeyService({ registry })
})
afterEach(async () => {
  await registry.close()
  rmSync(dataDir, { recursive: true, force: true })
})

async function rejectsWith(promise: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof MaasError, String(error))
    assert.equal(error.code, code)
    assert.match(error.message, message)
    return true
  })
}

describe('bootstrapAdminKey', () => {
  it('writes a new admin key to <dataDir>/admin-key with mode 0600 on a first start, and only its hash to the registry', async () => {
    const result = await bootstrapAdminKey({ keys, dataDir })
    const file = path.join(dataDir, ADMIN_KEY_FILE)
    assert.equal(result.kind, 'generated')
    assert.equal(result.kind === 'generated' && result.path, file)
    assert.equal(statSync(file).mode & 0o777, 0o600)
    const key = readFileSync(file, 'utf8').trim()
    const { prefix } = splitApiKey(key)!
    assert.equal(result.kind === 'generated' && result.prefix, `maas_${prefix}_…`)
    const stored = (await keys.findByPrefix(prefix))!
    assert.equal(stored.role, 'admin')
    assert.ok(keys.verify(key, stored) && !stored.hash.includes(key))
    const [entry] = await registry.audit.list()
    assert.deepEqual([entry!.actor, entry!.action, entry!.result], ['system', 'key.bootstrap', 'success'])
  })

  it('does nothing while an active admin key exists', async () => {
    await bootstrapAdminKey({ keys, dataDir })
    const before = readFileSync(path.join(dataDir, ADMIN_KEY_FILE), 'utf8')
    assert.deepEqual(await bootstrapAdminKey({ keys, dataDir }), { kind: 'present' })
    assert.equal(readFileSync(path.join(dataDir, ADMIN_KEY_FILE), 'utf8'), before)
    assert.equal((await keys.list()).length, 1)
  })

  it('never overwrites an existing file: with no admin key, it refuses and says what to do', async () => {
    writeFileSync(path.join(dataDir, ADMIN_KEY_FILE), 'precious\n')
    await rejectsWith(bootstrapAdminKey({ keys, dataDir }), 'FAILED_PRECONDITION', /no active admin API key .*already exists .*delete it .*or set MAAS_ADMIN_KEY/)
    assert.equal(readFileSync(path.join(dataDir, ADMIN_KEY_FILE), 'utf8'), 'precious\n')
    assert.equal((await keys.list()).length, 0)
  })

  it('stores the hash of MAAS_ADMIN_KEY and writes no file; a second start keeps it', async () => {
    const { key, prefix } = generateApiKey()
    assert.deepEqual(await bootstrapAdminKey({ keys, dataDir, adminKey: key }), { kind: 'configured', prefix: `maas_${prefix}_…`, added: true })
    assert.throws(() => statSync(path.join(dataDir, ADMIN_KEY_FILE)), /ENOENT/)
    assert.deepEqual(await bootstrapAdminKey({ keys, dataDir, adminKey: `${key}\n` }), { kind: 'configured', prefix: `maas_${prefix}_…`, added: false })
    assert.equal((await keys.list()).length, 1)
  })

  it('adds a MAAS_ADMIN_KEY that differs from the stored admin keys, keeping them', async () => {
    await bootstrapAdminKey({ keys, dataDir })
    const { key } = generateApiKey()
    const result = await bootstrapAdminKey({ keys, dataDir, adminKey: key })
    assert.equal(result.kind === 'configured' && result.added, true)
    assert.deepEqual((await keys.list()).map((stored) => [stored.role, stored.status]), [['admin', 'active'], ['admin', 'active']])
  })

  it('refuses a malformed MAAS_ADMIN_KEY without echoing it', async () => {
    await assert.rejects(bootstrapAdminKey({ keys, dataDir, adminKey: 'hunter2-secret' }), (error: MaasError) => {
      assert.equal(error.code, 'INVALID_ARGUMENT')
      assert.match(error.message, /^MAAS_ADMIN_KEY \(setting adminKey\) is not an API key: expected maas_<8-character prefix>_<secret>/)
      assert.ok(!error.message.includes('hunter2'))
      return true
    })
  })

  it('refuses a MAAS_ADMIN_KEY that was revoked, is not an admin key, or shares a prefix with another key', async () => {
    const consumer = await keys.create({ role: 'consumer' })
    await rejectsWith(bootstrapAdminKey({ keys, dataDir, adminKey: consumer.key }), 'FAILED_PRECONDITION', /is stored as a consumer key/)
    const impostor = `maas_${consumer.record.prefix}_${'Z'.repeat(43)}`
    await rejectsWith(bootstrapAdminKey({ keys, dataDir, adminKey: impostor }), 'FAILED_PRECONDITION', /has the prefix of another stored key/)
    const admin = await keys.create({ role: 'admin' })
    await keys.create({ role: 'admin' })
    await keys.revoke(admin.record.id)
    await rejectsWith(bootstrapAdminKey({ keys, dataDir, adminKey: admin.key }), 'FAILED_PRECONDITION', /was revoked at .*; set a new key$/)
  })
})
