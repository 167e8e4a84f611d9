import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { buildIdentity } from '../onnx/example-models.ts'
import { writeModel } from '../../test/support/fixture-repository.ts'
import { ModelManager } from './model-manager.ts'
import { ModelRepository } from './model-repository.ts'
import { OnnxEngine } from './onnx-engine.ts'

const ENGINE = { intraOpThreads: 1, interOpThreads: 1, graphOptimizationLevel: 'all', executionMode: 'sequential' } as const
let root: string
before(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'maas-manager-'))
  writeModel(root, 'echo', 1, buildIdentity('FP32', [-1]))
  writeModel(root, 'echo', 2, buildIdentity('FP32', [-1]))
})
after(() => rmSync(root, { recursive: true, force: true }))

async function run(lease: ReturnType<ModelManager['acquire']>) {
  const result = await lease.served.scheduler.enqueue({ inputs: [{ name: 'INPUT', datatype: 'FP32', shape: [2], data: new Float32Array([1, 2]) }], outputs: ['OUTPUT'] })
  return result.outputs
}

test('unload waits for a leased request, which still runs, then releases the session', async () => {
  const manager = new ModelManager(new ModelRepository(root), new OnnxEngine(), ENGINE)
  await manager.load('echo')
  const lease = manager.acquire('echo')
  assert.equal(lease.served.version, 2)
  let unloaded = false
  const unloading = manager.unload('echo').then(() => (unloaded = true))
  await new Promise((resolve) => setTimeout(resolve, 20))
  assert.equal(unloaded, false, 'unload must wait for the request in flight')
  assert.throws(() => manager.acquire('echo'), /not ready/)
  assert.deepEqual([...((await run(lease))[0]!.data as Float32Array)], [1, 2])
  lease.release()
  await unloading
  assert.equal(unloaded, true)
  await assert.rejects(run(lease), /unload/)
  const index = await manager.index()
  assert.deepEqual(index.map((entry) => [entry.name, entry.version, entry.state]), [['echo', '2', 'UNAVAILABLE']])
})

test('reload switches to new sessions while the old one finishes its request', async () => {
  const manager = new ModelManager(new ModelRepository(root), new OnnxEngine(), ENGINE)
  await manager.load('echo')
  const old = manager.acquire('echo')
  const reloading = manager.load('echo')
  await new Promise((resolve) => setTimeout(resolve, 50))
  const fresh = manager.acquire('echo')
  assert.notEqual(fresh.served, old.served, 'new requests go to the new session')
  assert.equal(old.served.isRetired, true)
  await run(old)
  old.release()
  fresh.release()
  await reloading
  await manager.stop()
})

test('a reload that fails keeps the loaded version serving', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'maas-manager-'))
  try {
    writeModel(dir, 'm', 1, buildIdentity('FP32', [-1]))
    const manager = new ModelManager(new ModelRepository(dir), new OnnxEngine(), ENGINE)
    await manager.load('m')
    writeModel(dir, 'm', 2, new TextEncoder().encode('garbage'))
    await assert.rejects(manager.load('m'), /failed to load model 'm'/)
    const lease = manager.acquire('m')
    assert.equal(lease.served.version, 1)
    lease.release()
    const states = (await manager.index()).map((entry) => [entry.version, entry.state])
    assert.deepEqual(states, [['2', 'FAILED'], ['1', 'READY']])
    await manager.stop()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('unknown names and versions are NOT_FOUND; non-numeric versions too', async () => {
  const manager = new ModelManager(new ModelRepository(root), new OnnxEngine(), ENGINE)
  await manager.load('echo')
  assert.throws(() => manager.acquire('nope'), (error: any) => error.code === 'NOT_FOUND')
  assert.throws(() => manager.acquire('echo', '9'), (error: any) => error.code === 'NOT_FOUND')
  assert.throws(() => manager.acquire('echo', 'latest'), (error: any) => error.code === 'NOT_FOUND')
  await assert.rejects(manager.load('nope'), (error: any) => error.code === 'NOT_FOUND')
  await manager.stop()
})
