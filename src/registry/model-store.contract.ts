/**
 * @module registry/model-store.contract
 * Contract cases for models and their cards.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ModelNotFoundError } from '../core/errors.ts'
import { rejectsWith, type ContractFixture } from './registry-contract-fixture.ts'

export function modelStoreContract(fx: ContractFixture): void {
  describe('models', () => {

    it('creates a model with defaults and reads it back', async () => {
      const name = fx.unique('resnet')
      const created = await fx.store.models.create({ name })
      assert.deepEqual(created, {
        name, description: '', task: null, labels: {}, owner: null, visibility: 'private', servingConfig: null,
        createdAt: new Date(fx.now()), updatedAt: new Date(fx.now()),
      })
      assert.deepEqual(await fx.store.models.get(name), created)
    })

    it('keeps every field it is given', async () => {
      const name = fx.unique('bert')
      const input = { name, description: 'sentiment', task: 'text-classification', labels: { team: 'nlp' }, owner: 'alice', visibility: 'public' as const, servingConfig: { max_batch_size: 8, dynamic_batching: {} } }
      assert.deepEqual(await fx.store.models.get((await fx.store.models.create(input)).name), {
        ...input, createdAt: new Date(fx.now()), updatedAt: new Date(fx.now()),
      })
    })

    it('updates and clears the serving configuration', async () => {
      const name = await fx.newModel()
      assert.deepEqual((await fx.store.models.update(name, { servingConfig: { max_batch_size: 4 } })).servingConfig, { max_batch_size: 4 })
      assert.equal((await fx.store.models.update(name, { servingConfig: null })).servingConfig, null)
    })

    it('refuses a duplicate name with ALREADY_EXISTS', async () => {
      const name = await fx.newModel()
      await rejectsWith(fx.store.models.create({ name }), 'ALREADY_EXISTS')
    })

    it('refuses bad names and visibilities with INVALID_ARGUMENT', async () => {
      for (const name of ['', '-x', 'a/b', 'a b', 'x'.repeat(129)]) {
        await rejectsWith(fx.store.models.create({ name }), 'INVALID_ARGUMENT')
      }
      await rejectsWith(fx.store.models.create({ name: fx.unique('m'), visibility: 'secret' as never }), 'INVALID_ARGUMENT')
    })

    it('answers ModelNotFoundError for an unknown model', async () => {
      await rejectsWith(fx.store.models.get('no-such-model'), 'NOT_FOUND', ModelNotFoundError)
      await rejectsWith(fx.store.models.update('no-such-model', { description: 'x' }), 'NOT_FOUND', ModelNotFoundError)
      await rejectsWith(fx.store.models.delete('no-such-model'), 'NOT_FOUND', ModelNotFoundError)
    })

    it('lists by owner, visibility, task and labels, ordered by name, with paging', async () => {
      const owner = fx.unique('owner')
      const create = (suffix: string, extra: object) => fx.store.models.create({ name: `${owner}-${suffix}`, owner, ...extra })
      await create('c', { visibility: 'public', task: 'detect', labels: { team: 'a', tier: '1' } })
      await create('a', { visibility: 'internal', task: 'detect', labels: { team: 'a' } })
      await create('b', { task: 'segment', labels: { team: 'b' } })
      const names = async (filter: object) => (await fx.store.models.list({ owner, ...filter })).map((m) => m.name.slice(owner.length + 1))
      assert.deepEqual(await names({}), ['a', 'b', 'c'])
      assert.deepEqual(await names({ visibility: 'public' }), ['c'])
      assert.deepEqual(await names({ task: 'detect' }), ['a', 'c'])
      assert.deepEqual(await names({ labels: { team: 'a' } }), ['a', 'c'])
      assert.deepEqual(await names({ labels: { team: 'a', tier: '1' } }), ['c'])
      assert.deepEqual(await names({ labels: { team: 'a' }, limit: 1 }), ['a'])
      assert.deepEqual(await names({ limit: 2 }), ['a', 'b'])
      assert.deepEqual(await names({ after: `${owner}-a` }), ['b', 'c'])
    })

    it('updates only the given fields and bumps updatedAt', async () => {
      const name = fx.unique('m')
      const created = await fx.store.models.create({ name, description: 'old', owner: 'alice', labels: { a: '1' } })
      fx.advance(1000)
      const updated = await fx.store.models.update(name, { description: 'new', task: null, visibility: 'internal' })
      assert.deepEqual(updated, { ...created, description: 'new', visibility: 'internal', updatedAt: new Date(fx.now()) })
      await rejectsWith(fx.store.models.update(name, { visibility: 'open' as never }), 'INVALID_ARGUMENT')
      fx.advance(1000)
      await fx.store.versions.create(name)
      assert.deepEqual((await fx.store.models.get(name)).updatedAt, updated.updatedAt, 'a new version is not a metadata change')
    })

    it('deletes a model with its versions, lineage and card', async () => {
      const name = await fx.newModel()
      const version = await fx.readyVersion(name)
      await fx.store.lineage.record(version, { operation: 'uploaded' })
      await fx.store.cards.put(name, '# card')
      await fx.store.models.delete(name)
      await rejectsWith(fx.store.models.get(name), 'NOT_FOUND')
      await rejectsWith(fx.store.versions.get(name, version.version), 'NOT_FOUND', ModelNotFoundError)
      // The name is free again, with fresh numbering.
      await fx.store.models.create({ name })
      assert.equal((await fx.store.versions.create(name)).version, 1)
      assert.equal(await fx.store.cards.get(name), null)
    })

    it('refuses to delete a model while an alias exists, with FAILED_PRECONDITION', async () => {
      const name = await fx.newModel()
      const version = await fx.readyVersion(name)
      await fx.store.aliases.set(name, 'production', { version: version.version })
      const error = await rejectsWith(fx.store.models.delete(name), 'FAILED_PRECONDITION')
      assert.match(error.message, /production/)
      await fx.store.aliases.delete(name, 'production')
      await fx.store.models.delete(name)
    })
  })

  describe('model cards', () => {

    it('has no card until one is put, then replaces it', async () => {
      const name = await fx.newModel()
      assert.equal(await fx.store.cards.get(name), null)
      const first = await fx.store.cards.put(name, '# Intended use\n\nDemos.', { updatedBy: 'alice' })
      assert.deepEqual(first, { model: name, markdown: '# Intended use\n\nDemos.', updatedBy: 'alice', updatedAt: new Date(fx.now()) })
      assert.deepEqual(await fx.store.cards.get(name), first)
      fx.advance(5)
      await fx.store.cards.put(name, '# v2')
      assert.deepEqual(await fx.store.cards.get(name), { model: name, markdown: '# v2', updatedBy: null, updatedAt: new Date(fx.now()) })
      await fx.store.cards.delete(name)
      assert.equal(await fx.store.cards.get(name), null)
    })

    it('answers NOT_FOUND for the card of an unknown model', async () => {
      await rejectsWith(fx.store.cards.get('no-such-model'), 'NOT_FOUND', ModelNotFoundError)
      await rejectsWith(fx.store.cards.put('no-such-model', '# x'), 'NOT_FOUND', ModelNotFoundError)
      await rejectsWith(fx.store.cards.delete('no-such-model'), 'NOT_FOUND', ModelNotFoundError)
    })
  })
}
