/**
 * @module registry/version-store.contract
 * Contract cases for versions: numbering (also under concurrency), lifecycle, deletion.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ModelNotFoundError } from '../core/errors.ts'
import type { ModelSignature } from '../onnx/onnx-signature.ts'
import { VersionNotFoundError } from './registry-errors.ts'
import { artifactRef, rejectsWith, type ContractFixture } from './registry-contract-fixture.ts'

const SIGNATURE: ModelSignature = {
  inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 4] }],
  outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, 3] }],
  metadata: { labels: 'a,b,c' },
  producer: 'maas 0.1.0',
  irVersion: 8,
  opset: 17,
}

export function versionStoreContract(fx: ContractFixture): void {
  describe('versions', () => {

    it('numbers versions 1, 2, 3 and starts them REGISTERING', async () => {
      const model = await fx.newModel()
      const artifact = artifactRef('one')
      const first = await fx.store.versions.create(model, { artifact, signature: SIGNATURE, metrics: { accuracy: 0.9 }, createdBy: 'bob' })
      assert.deepEqual(first, {
        model, version: 1, status: 'REGISTERING', statusReason: null, artifact, signature: SIGNATURE,
        metrics: { accuracy: 0.9 }, createdBy: 'bob', createdAt: new Date(fx.now()), updatedAt: new Date(fx.now()),
      })
      assert.deepEqual(await fx.store.versions.get(model, 1), first)
      assert.equal((await fx.store.versions.create(model)).version, 2)
      const third = await fx.store.versions.create(model)
      assert.deepEqual([third.version, third.artifact, third.signature, third.metrics], [3, null, null, {}])
    })

    it('takes a given number above every earlier one, and refuses one that exists or existed', async () => {
      const model = await fx.newModel()
      assert.equal((await fx.store.versions.create(model, { number: 3 })).version, 3)
      assert.equal((await fx.store.versions.create(model)).version, 4, 'numbering continues after a given number')
      await rejectsWith(fx.store.versions.create(model, { number: 2 }), 'ALREADY_EXISTS')
      await rejectsWith(fx.store.versions.create(model, { number: 4 }), 'ALREADY_EXISTS')
      await rejectsWith(fx.store.versions.create('no-such-model', { number: 1 }), 'NOT_FOUND', ModelNotFoundError)
      await rejectsWith(fx.store.versions.create(model, { number: 0 }), 'INVALID_ARGUMENT')
    })

    it('gives 20 concurrent creates the numbers 1 to 20', async () => {
      const model = await fx.newModel()
      const created = await Promise.all(Array.from({ length: 20 }, () => fx.store.versions.create(model)))
      assert.deepEqual(created.map((v) => v.version).sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i + 1))
    })

    it('never reuses a deleted number', async () => {
      const model = await fx.newModel()
      await fx.store.versions.create(model)
      await fx.store.versions.create(model)
      await fx.store.versions.delete(model, 2)
      assert.equal((await fx.store.versions.create(model)).version, 3)
      await rejectsWith(fx.store.versions.get(model, 2), 'NOT_FOUND', VersionNotFoundError)
    })

    it('answers NOT_FOUND for unknown models and versions, INVALID_ARGUMENT for bad numbers', async () => {
      await rejectsWith(fx.store.versions.create('no-such-model'), 'NOT_FOUND', ModelNotFoundError)
      await rejectsWith(fx.store.versions.list('no-such-model'), 'NOT_FOUND', ModelNotFoundError)
      await rejectsWith(fx.store.versions.latest('no-such-model'), 'NOT_FOUND', ModelNotFoundError)
      const model = await fx.newModel()
      const error = await rejectsWith(fx.store.versions.get(model, 7), 'NOT_FOUND', VersionNotFoundError)
      assert.ok(error instanceof ModelNotFoundError, 'a missing version is also a ModelNotFoundError')
      await rejectsWith(fx.store.versions.setStatus(model, 7, 'READY'), 'NOT_FOUND')
      await rejectsWith(fx.store.versions.delete(model, 7), 'NOT_FOUND')
      for (const version of [0, -1, 1.5]) await rejectsWith(fx.store.versions.get(model, version), 'INVALID_ARGUMENT')
      await rejectsWith(fx.store.versions.create(model, { artifact: { ...artifactRef('x'), sha256: 'ABC' } }), 'INVALID_ARGUMENT')
    })

    it('hides REGISTERING versions from lists unless asked', async () => {
      const model = await fx.newModel()
      await fx.readyVersion(model)
      await fx.store.versions.create(model)
      const failed = await fx.store.versions.create(model)
      await fx.store.versions.setStatus(model, failed.version, 'FAILED', 'bad graph')
      const numbers = async (statuses?: never[]) => (await fx.store.versions.list(model, { statuses })).map((v) => `${v.version}:${v.status}`)
      assert.deepEqual(await numbers(), ['1:READY', '3:FAILED'])
      assert.deepEqual(await numbers(['REGISTERING'] as never[]), ['2:REGISTERING'])
      assert.deepEqual(await numbers(['READY', 'REGISTERING'] as never[]), ['1:READY', '2:REGISTERING'])
      assert.deepEqual(await numbers([]), [])
      await rejectsWith(fx.store.versions.list(model, { statuses: ['DONE' as never] }), 'INVALID_ARGUMENT')
    })

    it('moves through the lifecycle and refuses moves outside it', async () => {
      const model = await fx.newModel()
      const { version } = await fx.store.versions.create(model)
      await rejectsWith(fx.store.versions.setStatus(model, version, 'READY'), 'FAILED_PRECONDITION') // no artifact yet
      await rejectsWith(fx.store.versions.setStatus(model, version, 'ARCHIVED'), 'FAILED_PRECONDITION')
      await fx.store.versions.update(model, version, { artifact: artifactRef('lifecycle'), signature: SIGNATURE })
      fx.advance(10)
      const ready = await fx.store.versions.setStatus(model, version, 'READY')
      assert.deepEqual([ready.status, ready.updatedAt, ready.artifact], ['READY', new Date(fx.now()), artifactRef('lifecycle')])
      await rejectsWith(fx.store.versions.update(model, version, { artifact: artifactRef('other') }), 'FAILED_PRECONDITION')
      await rejectsWith(fx.store.versions.update(model, version, { signature: SIGNATURE }), 'FAILED_PRECONDITION')
      assert.deepEqual((await fx.store.versions.update(model, version, { metrics: { f1: 0.5 } })).metrics, { f1: 0.5 })
      const archived = await fx.store.versions.setStatus(model, version, 'ARCHIVED', 'superseded')
      assert.deepEqual([archived.status, archived.statusReason], ['ARCHIVED', 'superseded'])
      assert.equal((await fx.store.versions.setStatus(model, version, 'READY')).status, 'READY')
      await rejectsWith(fx.store.versions.setStatus(model, version, 'REGISTERING'), 'FAILED_PRECONDITION')
      await rejectsWith(fx.store.versions.setStatus(model, version, 'GONE' as never), 'INVALID_ARGUMENT')
      const failed = await fx.store.versions.create(model)
      assert.equal((await fx.store.versions.setStatus(model, failed.version, 'FAILED', 'no outputs')).statusReason, 'no outputs')
      await rejectsWith(fx.store.versions.setStatus(model, failed.version, 'READY'), 'FAILED_PRECONDITION')
    })

    it('reports the highest READY version as latest', async () => {
      const model = await fx.newModel()
      assert.equal(await fx.store.versions.latest(model), null)
      await fx.readyVersion(model)
      const second = await fx.readyVersion(model)
      await fx.store.versions.create(model)
      assert.equal((await fx.store.versions.latest(model))?.version, second.version)
      await fx.store.versions.setStatus(model, second.version, 'ARCHIVED')
      assert.equal((await fx.store.versions.latest(model))?.version, 1)
    })

    it('refuses to delete or archive a version an alias points at', async () => {
      const model = await fx.newModel()
      const primary = await fx.readyVersion(model)
      const canary = await fx.readyVersion(model)
      await fx.store.aliases.set(model, 'production', { version: primary.version, canary: { version: canary.version, weight: 10 } })
      for (const version of [primary.version, canary.version]) {
        assert.match((await rejectsWith(fx.store.versions.delete(model, version), 'FAILED_PRECONDITION')).message, /production/)
        await rejectsWith(fx.store.versions.setStatus(model, version, 'ARCHIVED'), 'FAILED_PRECONDITION')
      }
      await fx.store.aliases.set(model, 'production', { version: primary.version })
      await fx.store.versions.delete(model, canary.version)
      assert.deepEqual((await fx.store.versions.list(model)).map((v) => v.version), [primary.version])
    })

    it('lists every artifact a version refers to', async () => {
      const model = await fx.newModel()
      const version = await fx.readyVersion(model)
      await fx.store.versions.create(model)
      const referenced = await fx.store.versions.referencedArtifacts()
      assert.ok(referenced.has(version.artifact!.sha256))
      assert.ok(![...referenced].includes(null as never))
    })
  })
}
