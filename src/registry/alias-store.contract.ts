/**
 * @module registry/alias-store.contract
 * Contract cases for aliases and canary weights.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ModelNotFoundError } from '../core/errors.ts'
import { AliasNotFoundError, VersionNotFoundError } from './registry-errors.ts'
import { rejectsWith, type ContractFixture } from './registry-contract-fixture.ts'

export function aliasStoreContract(fx: ContractFixture): void {
  describe('aliases', () => {

    it('points an alias at a READY version and moves it', async () => {
      const model = await fx.newModel()
      const v1 = await fx.readyVersion(model)
      const v2 = await fx.readyVersion(model)
      const set = await fx.store.aliases.set(model, 'production', { version: v1.version, updatedBy: 'alice' })
      assert.deepEqual(set, { model, name: 'production', version: 1, canary: null, updatedBy: 'alice', updatedAt: new Date(fx.now()) })
      assert.deepEqual(await fx.store.aliases.get(model, 'production'), set)
      fx.advance(1)
      await fx.store.aliases.set(model, 'production', { version: v2.version })
      await fx.store.aliases.set(model, 'staging', { version: v2.version })
      assert.deepEqual(await fx.store.aliases.list(model), [
        { model, name: 'production', version: 2, canary: null, updatedBy: null, updatedAt: new Date(fx.now()) },
        { model, name: 'staging', version: 2, canary: null, updatedBy: null, updatedAt: new Date(fx.now()) },
      ])
    })

    it('accepts any lower-case name but not numbers or capitals', async () => {
      const model = await fx.newModel()
      const { version } = await fx.readyVersion(model)
      for (const name of ['shadow-eu', 'a', 'blue_green2']) await fx.store.aliases.set(model, name, { version })
      for (const name of ['', '3', 'Production', '-x', 'a b', 'x'.repeat(64)]) {
        await rejectsWith(fx.store.aliases.set(model, name, { version }), 'INVALID_ARGUMENT')
      }
    })

    it('refuses versions that are not READY with FAILED_PRECONDITION', async () => {
      const model = await fx.newModel()
      const ready = await fx.readyVersion(model)
      const registering = await fx.store.versions.create(model)
      const archived = await fx.readyVersion(model)
      await fx.store.versions.setStatus(model, archived.version, 'ARCHIVED')
      for (const { version } of [registering, archived]) {
        await rejectsWith(fx.store.aliases.set(model, 'production', { version }), 'FAILED_PRECONDITION')
        await rejectsWith(fx.store.aliases.set(model, 'production', { version: ready.version, canary: { version, weight: 5 } }), 'FAILED_PRECONDITION')
      }
      await rejectsWith(fx.store.aliases.get(model, 'production'), 'NOT_FOUND', AliasNotFoundError)
    })

    it('answers NOT_FOUND for unknown models, versions and aliases', async () => {
      await rejectsWith(fx.store.aliases.set('no-such-model', 'production', { version: 1 }), 'NOT_FOUND', ModelNotFoundError)
      await rejectsWith(fx.store.aliases.list('no-such-model'), 'NOT_FOUND', ModelNotFoundError)
      await rejectsWith(fx.store.aliases.get('no-such-model', 'production'), 'NOT_FOUND', ModelNotFoundError)
      const model = await fx.newModel()
      await rejectsWith(fx.store.aliases.set(model, 'production', { version: 9 }), 'NOT_FOUND', VersionNotFoundError)
      await rejectsWith(fx.store.aliases.get(model, 'production'), 'NOT_FOUND', AliasNotFoundError)
      await rejectsWith(fx.store.aliases.delete(model, 'production'), 'NOT_FOUND', AliasNotFoundError)
    })

    it('keeps a canary version with its weight, and validates both', async () => {
      const model = await fx.newModel()
      const v1 = await fx.readyVersion(model)
      const v2 = await fx.readyVersion(model)
      const alias = await fx.store.aliases.set(model, 'production', { version: v1.version, canary: { version: v2.version, weight: 25 } })
      assert.deepEqual(alias.canary, { version: v2.version, weight: 25 })
      assert.deepEqual((await fx.store.aliases.get(model, 'production')).canary, { version: v2.version, weight: 25 })
      for (const weight of [0, 100]) {
        assert.equal((await fx.store.aliases.set(model, 'production', { version: v1.version, canary: { version: v2.version, weight } })).canary?.weight, weight)
      }
      for (const weight of [-1, 101, 2.5, Number.NaN]) {
        await rejectsWith(fx.store.aliases.set(model, 'production', { version: v1.version, canary: { version: v2.version, weight } }), 'INVALID_ARGUMENT')
      }
      await rejectsWith(fx.store.aliases.set(model, 'production', { version: v1.version, canary: { version: v1.version, weight: 5 } }), 'INVALID_ARGUMENT')
      await rejectsWith(fx.store.aliases.set(model, 'production', { version: v1.version, canary: { version: 99, weight: 5 } }), 'NOT_FOUND')
      assert.equal((await fx.store.aliases.set(model, 'production', { version: v2.version, canary: null })).canary, null)
      assert.equal((await fx.store.aliases.get(model, 'production')).canary, null)
    })

    it('never leaves an alias on an archived version when both race', async () => {
      for (let round = 0; round < 5; round++) {
        const model = await fx.newModel()
        const { version } = await fx.readyVersion(model)
        const [alias, archive] = await Promise.allSettled([
          fx.store.aliases.set(model, 'production', { version }),
          fx.store.versions.setStatus(model, version, 'ARCHIVED'),
        ])
        const aliased = (await fx.store.aliases.list(model)).length === 1
        const status = (await fx.store.versions.get(model, version)).status
        assert.equal(alias.status === 'fulfilled', aliased)
        assert.equal(archive.status === 'fulfilled', status === 'ARCHIVED')
        assert.ok(aliased !== (status === 'ARCHIVED'), `round ${round}: alias ${alias.status}, archive ${archive.status}`)
      }
    })

    it('lists the aliases of one version, as primary or canary, and deletes', async () => {
      const model = await fx.newModel()
      const v1 = await fx.readyVersion(model)
      const v2 = await fx.readyVersion(model)
      await fx.store.aliases.set(model, 'production', { version: v1.version, canary: { version: v2.version, weight: 50 } })
      await fx.store.aliases.set(model, 'staging', { version: v2.version })
      await fx.store.aliases.set(model, 'old', { version: v1.version })
      const names = async (version: number) => (await fx.store.aliases.listForVersion(model, version)).map((a) => a.name)
      assert.deepEqual(await names(v1.version), ['old', 'production'])
      assert.deepEqual(await names(v2.version), ['production', 'staging'])
      await fx.store.aliases.delete(model, 'production')
      assert.deepEqual(await names(v2.version), ['staging'])
      assert.deepEqual((await fx.store.aliases.list(model)).map((a) => a.name), ['old', 'staging'])
    })
  })
}
