/**
 * @module registry/lineage-store.contract
 * Contract cases for lineage records and graph walks.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { VersionNotFoundError } from './registry-errors.ts'
import { rejectsWith, type ContractFixture } from './registry-contract-fixture.ts'

export function lineageStoreContract(fx: ContractFixture): void {
  describe('lineage', () => {

    it('records how a version was made and reads it back', async () => {
      const model = await fx.newModel()
      const v1 = await fx.readyVersion(model)
      assert.equal(await fx.store.lineage.get(v1), null)
      const recorded = await fx.store.lineage.record(v1, { operation: 'trained', parameters: { epochs: 3, lr: 0.01 }, dataset: 'fashion-mnist' })
      const expected = {
        model, version: 1, operation: 'trained', parameters: { epochs: 3, lr: 0.01 }, dataset: 'fashion-mnist', parents: [],
        createdAt: new Date(fx.now()),
      }
      assert.deepEqual(recorded, expected)
      assert.deepEqual(await fx.store.lineage.get({ model, version: 1 }), expected)
      await rejectsWith(fx.store.lineage.record(v1, { operation: 'uploaded' }), 'ALREADY_EXISTS')
    })

    it('walks parents, children, ancestors and descendants across models', async () => {
      // teacher ──distilled──▶ student ──quantized──▶ student-int8
      // base ─────────────────┘ (second parent)     └──pruned──▶ student-small
      const teacherModel = await fx.newModel('teacher')
      const studentModel = await fx.newModel('student')
      const teacher = await fx.readyVersion(teacherModel)
      const base = await fx.readyVersion(teacherModel)
      const student = await fx.readyVersion(studentModel)
      const int8 = await fx.readyVersion(studentModel)
      const small = await fx.readyVersion(studentModel)
      const ref = (v: { model: string; version: number }) => ({ model: v.model, version: v.version })
      await fx.store.lineage.record(student, { operation: 'distilled', parents: [ref(teacher), ref(base)], parameters: { temperature: 4 } })
      await fx.store.lineage.record(int8, { operation: 'quantized', parents: [ref(student)], parameters: { dtype: 'int8' } })
      await fx.store.lineage.record(small, { operation: 'pruned', parents: [ref(student)] })
      assert.deepEqual(await fx.store.lineage.parents(student), [ref(teacher), ref(base)])
      assert.deepEqual((await fx.store.lineage.get(student))?.parents, [ref(teacher), ref(base)])
      assert.deepEqual(await fx.store.lineage.children(student), [ref(int8), ref(small)])
      assert.deepEqual(await fx.store.lineage.children(teacher), [ref(student)])
      assert.deepEqual(await fx.store.lineage.ancestors(int8), [ref(student), ref(teacher), ref(base)])
      assert.deepEqual(await fx.store.lineage.descendants(teacher), [ref(student), ref(int8), ref(small)])
      assert.deepEqual(await fx.store.lineage.parents(teacher), [])
      assert.deepEqual(await fx.store.lineage.descendants(small), [])
    })

    it('refuses unknown versions, bad operations, repeated parents and cycles', async () => {
      const model = await fx.newModel()
      const v1 = await fx.readyVersion(model)
      const v2 = await fx.readyVersion(model)
      await rejectsWith(fx.store.lineage.record({ model, version: 9 }, { operation: 'trained' }), 'NOT_FOUND', VersionNotFoundError)
      await rejectsWith(fx.store.lineage.record(v2, { operation: 'pruned', parents: [{ model, version: 9 }] }), 'NOT_FOUND', VersionNotFoundError)
      await rejectsWith(fx.store.lineage.record(v2, { operation: 'pruned', parents: [{ model: 'no-such-model', version: 1 }] }), 'NOT_FOUND')
      await rejectsWith(fx.store.lineage.get({ model, version: 9 }), 'NOT_FOUND')
      await rejectsWith(fx.store.lineage.record(v2, { operation: 'copied' as never }), 'INVALID_ARGUMENT')
      await rejectsWith(fx.store.lineage.record(v2, { operation: 'pruned', parents: [v1, v1] }), 'INVALID_ARGUMENT')
      await rejectsWith(fx.store.lineage.record(v2, { operation: 'pruned', parents: [v2] }), 'INVALID_ARGUMENT')
      await fx.store.lineage.record(v2, { operation: 'pruned', parents: [v1] })
      await rejectsWith(fx.store.lineage.record(v1, { operation: 'pruned', parents: [v2] }), 'INVALID_ARGUMENT')
      assert.equal(await fx.store.lineage.get(v1), null, 'a refused record leaves nothing behind')
    })

    it('drops a deleted version\'s lineage but keeps it as a parent of others', async () => {
      const model = await fx.newModel()
      const v1 = await fx.readyVersion(model)
      const v2 = await fx.readyVersion(model)
      await fx.store.lineage.record(v1, { operation: 'uploaded' })
      await fx.store.lineage.record(v2, { operation: 'quantized', parents: [{ model, version: v1.version }] })
      await fx.store.versions.delete(model, v1.version)
      assert.deepEqual(await fx.store.lineage.parents(v2), [{ model, version: v1.version }])
      await fx.store.versions.delete(model, v2.version)
      assert.deepEqual(await fx.store.lineage.children(v1), [])
    })
  })
}
