/**
 * @module registry/access-store.contract
 * Contract cases for what multi-tenancy builds on: API keys, usage counters, the audit log.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ApiKeyNotFoundError } from './registry-errors.ts'
import { rejectsWith, type ContractFixture } from './registry-contract-fixture.ts'

export function accessStoreContract(fx: ContractFixture): void {
  describe('API keys', () => {
    const newKey = (extra: object = {}) => ({ prefix: fx.unique('mk'), hash: 'scrypt$abc', name: 'ci', role: 'consumer' as const, ...extra })

    it('creates a key and finds it by id and prefix', async () => {
      const expiresAt = new Date(fx.now() + 86_400_000)
      const key = await fx.store.keys.create(newKey({ allowedModels: ['mnist', 'resnet'], expiresAt }))
      assert.deepEqual({ ...key, id: undefined }, {
        id: undefined, prefix: key.prefix, hash: 'scrypt$abc', name: 'ci', role: 'consumer', allowedModels: ['mnist', 'resnet'], scopes: [],
        createdAt: new Date(fx.now()), revokedAt: null, expiresAt, rotatedFrom: null,
      })
      assert.deepEqual(await fx.store.keys.get(key.id), key)
      assert.deepEqual(await fx.store.keys.findByPrefix(key.prefix), key)
      assert.equal(await fx.store.keys.findByPrefix('mk-unknown'), null)
      assert.equal((await fx.store.keys.create(newKey({ role: 'admin' }))).allowedModels, null)
    })

    it('refuses duplicate prefixes and ids, bad roles and unknown ids', async () => {
      const key = await fx.store.keys.create(newKey())
      await rejectsWith(fx.store.keys.create(newKey({ prefix: key.prefix })), 'ALREADY_EXISTS')
      await rejectsWith(fx.store.keys.create(newKey({ id: key.id })), 'ALREADY_EXISTS')
      await rejectsWith(fx.store.keys.create(newKey({ role: 'root' })), 'INVALID_ARGUMENT')
      await rejectsWith(fx.store.keys.get('no-such-key'), 'NOT_FOUND', ApiKeyNotFoundError)
      await rejectsWith(fx.store.keys.revoke('no-such-key'), 'NOT_FOUND', ApiKeyNotFoundError)
    })

    it('revokes once and lists revoked keys only when asked', async () => {
      const kept = await fx.store.keys.create(newKey())
      const revoked = await fx.store.keys.create(newKey())
      const at = fx.now()
      assert.deepEqual((await fx.store.keys.revoke(revoked.id)).revokedAt, new Date(at))
      fx.advance(1000)
      assert.deepEqual((await fx.store.keys.revoke(revoked.id)).revokedAt, new Date(at), 'revoking again keeps the first time')
      assert.deepEqual((await fx.store.keys.findByPrefix(revoked.prefix))?.revokedAt, new Date(at))
      const ids = async (includeRevoked?: boolean) => (await fx.store.keys.list({ includeRevoked })).map((k) => k.id)
      assert.ok((await ids()).includes(kept.id))
      assert.ok(!(await ids()).includes(revoked.id))
      assert.ok((await ids(true)).includes(revoked.id))
    })

    it('rotates a key: the new one names the old, which is revoked or given a grace period', async () => {
      const old = await fx.store.keys.create(newKey())
      const next = await fx.store.keys.rotate(old.id, newKey())
      assert.equal(next.rotatedFrom, old.id)
      assert.deepEqual((await fx.store.keys.get(old.id)).revokedAt, new Date(fx.now()))
      await rejectsWith(fx.store.keys.rotate(old.id, newKey()), 'FAILED_PRECONDITION')

      const until = new Date(fx.now() + 3_600_000)
      const graceKey = await fx.store.keys.create(newKey())
      await fx.store.keys.rotate(graceKey.id, newKey(), { oldKeyExpiresAt: until })
      const after = await fx.store.keys.get(graceKey.id)
      assert.deepEqual([after.revokedAt, after.expiresAt], [null, until])
    })

    it('rotates atomically: a refused new key leaves the old one as it was', async () => {
      const old = await fx.store.keys.create(newKey())
      const other = await fx.store.keys.create(newKey())
      await rejectsWith(fx.store.keys.rotate(old.id, newKey({ prefix: other.prefix })), 'ALREADY_EXISTS')
      assert.equal((await fx.store.keys.get(old.id)).revokedAt, null)
      await rejectsWith(fx.store.keys.rotate('no-such-key', newKey()), 'NOT_FOUND', ApiKeyNotFoundError)
    })
  })

  describe('usage', () => {

    it('adds increments to per key, model, version and day counters', async () => {
      const model = fx.unique('usage')
      const day1 = new Date('2030-03-01T23:59:59.999Z')
      const day2 = new Date('2030-03-02T00:00:00.000Z')
      await fx.store.usage.increment({ keyId: 'k1', model, version: 1, at: day1, requests: 1, samples: 8, computeNs: 1_500_000 })
      await fx.store.usage.increment({ keyId: 'k1', model, version: 1, at: day1, requests: 2, samples: 2, errors: 1, computeNs: 2e12 })
      await fx.store.usage.increment([
        { keyId: 'k1', model, version: 2, at: day1, requests: 1 },
        { keyId: null, model, version: 1, at: day2, requests: 4 },
        { keyId: 'k2', model, version: 1, at: day2, requests: 1 },
      ])
      const rows = await fx.store.usage.list({ model })
      assert.deepEqual(rows, [
        { keyId: 'k1', model, version: 1, day: '2030-03-01', requests: 3, samples: 10, errors: 1, computeNs: 2e12 + 1_500_000 },
        { keyId: 'k1', model, version: 2, day: '2030-03-01', requests: 1, samples: 0, errors: 0, computeNs: 0 },
        { keyId: null, model, version: 1, day: '2030-03-02', requests: 4, samples: 0, errors: 0, computeNs: 0 },
        { keyId: 'k2', model, version: 1, day: '2030-03-02', requests: 1, samples: 0, errors: 0, computeNs: 0 },
      ])
      assert.equal((await fx.store.usage.list({ model, keyId: null })).length, 1)
      assert.equal((await fx.store.usage.list({ model, keyId: 'k1', version: 2 })).length, 1)
      assert.equal((await fx.store.usage.list({ model, fromDay: '2030-03-02' })).length, 2)
      assert.equal((await fx.store.usage.list({ model, toDay: '2030-03-01' })).length, 2)
    })

    it('loses no increment when many land at once', async () => {
      const model = fx.unique('usage')
      await Promise.all(Array.from({ length: 40 }, () => fx.store.usage.increment({ keyId: 'k', model, version: 1, requests: 1, samples: 2 })))
      const [row] = await fx.store.usage.list({ model })
      assert.deepEqual([row?.requests, row?.samples], [40, 80])
    })

    it('refuses negative or fractional counts, and applies none of a refused batch', async () => {
      const model = fx.unique('usage')
      await rejectsWith(fx.store.usage.increment({ keyId: 'k', model, version: 1, requests: -1 }), 'INVALID_ARGUMENT')
      await rejectsWith(fx.store.usage.increment([
        { keyId: 'k', model, version: 1, requests: 1 },
        { keyId: 'k', model, version: 1, samples: 0.5 },
      ]), 'INVALID_ARGUMENT')
      assert.deepEqual(await fx.store.usage.list({ model }), [])
    })
  })

  describe('audit log', () => {

    it('appends entries and lists them newest first with filters', async () => {
      const actor = fx.unique('actor')
      const a = await fx.store.audit.append({ actor, action: 'model.create', target: 'model:a', result: 'success', details: { visibility: 'public' } })
      assert.deepEqual({ ...a, id: 0 }, { id: 0, at: new Date(fx.now()), actor, action: 'model.create', target: 'model:a', result: 'success', details: { visibility: 'public' } })
      fx.advance(1000)
      const b = await fx.store.audit.append({ actor, action: 'alias.set', target: 'model:a', result: 'denied' })
      fx.advance(1000)
      const c = await fx.store.audit.append({ actor, action: 'model.delete', target: 'model:b', result: 'failure', at: new Date(fx.now() + 5) })
      assert.ok(a.id < b.id && b.id < c.id)
      assert.equal(b.details, null)
      const ids = async (filter: object) => (await fx.store.audit.list({ actor, ...filter })).map((entry) => entry.id)
      assert.deepEqual(await ids({}), [c.id, b.id, a.id])
      assert.deepEqual(await ids({ target: 'model:a' }), [b.id, a.id])
      assert.deepEqual(await ids({ action: 'alias.set' }), [b.id])
      assert.deepEqual(await ids({ result: 'failure' }), [c.id])
      assert.deepEqual(await ids({ from: b.at }), [c.id, b.id])
      assert.deepEqual(await ids({ to: b.at }), [a.id])
      assert.deepEqual(await ids({ limit: 2 }), [c.id, b.id])
      assert.deepEqual(await ids({ beforeId: b.id }), [a.id])
      assert.deepEqual((await fx.store.audit.list({ actor, limit: 1 }))[0], c)
    })

    it('refuses unknown results and empty actors', async () => {
      await rejectsWith(fx.store.audit.append({ actor: 'x', action: 'y', target: 'z', result: 'ok' as never }), 'INVALID_ARGUMENT')
      await rejectsWith(fx.store.audit.append({ actor: '', action: 'y', target: 'z', result: 'success' }), 'INVALID_ARGUMENT')
      await rejectsWith(fx.store.audit.list({ limit: 0 }), 'INVALID_ARGUMENT')
    })
  })
}
