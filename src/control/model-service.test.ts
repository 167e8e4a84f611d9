/**
 * @module control/model-service.test
 * ModelService against a real registry (SQLite in memory), artifact store and ORT engine,
 * with a serving side that can be told to refuse reloads: the undo paths that a real server
 * rarely takes.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, afterEach, beforeEach, describe, it } from 'node:test'
import { LocalArtifactStore } from '../artifacts/local-artifact-store.ts'
import { InvalidArgumentError, MaasError } from '../core/errors.ts'
import { buildIdentity } from '../onnx/example-models.ts'
import { openRegistry } from '../registry/open-registry.ts'
import type { RegistryStore } from '../registry/registry-store.ts'
import { OnnxEngine } from '../runtime/onnx-engine.ts'
import { ModelService, type ServingControl } from './model-service.ts'

const root = mkdtempSync(path.join(os.tmpdir(), 'maas-model-service-'))
after(() => rmSync(root, { recursive: true, force: true }))

class FakeServing implements ServingControl {
  readonly calls: string[] = []
  refuse = false
  async loadModel(name: string): Promise<void> {
    this.calls.push(`load ${name}`)
    if (this.refuse) throw new InvalidArgumentError(`failed to load model '${name}': refused by the test`)
  }
  async unloadModel(name: string): Promise<void> {
    this.calls.push(`unload ${name}`)
  }
}

let registry: RegistryStore
let serving: FakeServing
let service: ModelService
let count = 0

beforeEach(async () => {
  registry = await openRegistry('sqlite::memory:')
  serving = new FakeServing()
  service = new ModelService({
    registry, serving, artifacts: new LocalArtifactStore(path.join(root, `artifacts-${++count}`)), engine: new OnnxEngine(),
    engineDefaults: { intraOpThreads: 1, interOpThreads: 1, graphOptimizationLevel: 'all', executionMode: 'sequential' },
    modelFilesRoot: path.join(root, 'models'), maxUploadBytes: 1 << 20,
  })
  await service.createModel({ name: 'm' }, 'alice')
  for (let i = 0; i < 2; i++) await service.uploadVersion('m', buildIdentity('FP32', [-1, 2 + i]), {}, 'alice')
})

afterEach(() => registry.close())

const rejectsWith = (promise: Promise<unknown>, code: string, message: RegExp) =>
  assert.rejects(promise, (error) => error instanceof MaasError && error.code === code && message.test(error.message))

describe('ModelService', () => {
  it('reloads the model after each upload and records the actor', async () => {
    assert.deepEqual(serving.calls, ['load m', 'load m'])
    assert.equal((await registry.models.get('m')).owner, 'alice')
    assert.equal((await registry.versions.get('m', 2)).createdBy, 'alice')
    const audit = await registry.audit.list({ actor: 'alice' })
    assert.deepEqual(audit.map((entry) => `${entry.action} ${entry.target} ${entry.result}`).reverse(), ['model.create model:m success', 'version.upload model:m success', 'version.upload model:m success'])
  })

  it('restores the previous alias when the reload fails, and drops a new alias', async () => {
    await service.setAlias('m', 'production', { version: 1 })
    serving.refuse = true
    await rejectsWith(service.setAlias('m', 'production', { version: 2 }), 'INVALID_ARGUMENT', /undone.*refused by the test/)
    assert.equal((await registry.aliases.get('m', 'production')).version, 1)
    await rejectsWith(service.setAlias('m', 'staging', { version: 2 }), 'INVALID_ARGUMENT', /undone/)
    assert.deepEqual((await registry.aliases.list('m')).map((alias) => alias.name), ['production'])
    await rejectsWith(service.deleteAlias('m', 'production'), 'INVALID_ARGUMENT', /undone/)
    assert.equal((await registry.aliases.get('m', 'production')).version, 1)
    const failures = await registry.audit.list({ action: 'alias.set', result: 'failure' })
    assert.equal(failures.length, 2)
  })

  it('restores the previous servingConfig when the reload fails', async () => {
    serving.refuse = true
    await rejectsWith(service.updateModel('m', { servingConfig: { max_batch_size: 4 } }), 'INVALID_ARGUMENT', /undone/)
    assert.equal((await registry.models.get('m')).servingConfig, null)
    await service.updateModel('m', { description: 'no reload needed' })
    assert.equal((await registry.models.get('m')).description, 'no reload needed')
  })

  it('archives an uploaded version with the reason when the serving side refuses it', async () => {
    serving.refuse = true
    await rejectsWith(service.uploadVersion('m', buildIdentity('FP32', [-1, 5])), 'INVALID_ARGUMENT', /version 3 of model 'm' is ARCHIVED: the server could not load it/)
    const version = await registry.versions.get('m', 3)
    assert.equal(version.status, 'ARCHIVED')
    assert.match(version.statusReason ?? '', /refused by the test/)
  })

  it('unloads a model left without READY versions, and refuses an alias on a missing version with NOT_FOUND', async () => {
    await service.deleteVersion('m', 2)
    await service.updateVersion('m', 1, { status: 'ARCHIVED' })
    assert.equal(serving.calls.at(-1), 'unload m')
    await rejectsWith(service.setAlias('m', 'production', { version: 7 }), 'NOT_FOUND', /version '7'/)
    await rejectsWith(service.setAlias('m', 'production', { version: 1 }), 'FAILED_PRECONDITION', /ARCHIVED/)
  })

  it('serialises writes to one model: concurrent alias moves end in the order they were asked', async () => {
    await Promise.all([1, 2, 1, 2].map((version) => service.setAlias('m', 'production', { version })))
    assert.equal((await registry.aliases.get('m', 'production')).version, 2)
  })
})
