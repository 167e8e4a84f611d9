/**
 * @module artifacts/local-artifact-store.test
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { after, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { MaasError, PayloadTooLargeError } from '../core/errors.ts'
import { ArtifactCorruptError, ArtifactNotFoundError } from './artifact-errors.ts'
import { LocalArtifactStore } from './local-artifact-store.ts'

const base = mkdtempSync(path.join(os.tmpdir(), 'maas-artifacts-'))
after(() => rmSync(base, { recursive: true, force: true }))
let count = 0

function freshStore(): { store: LocalArtifactStore; root: string } {
  const root = path.join(base, `store-${++count}`)
  return { store: new LocalArtifactStore(root), root }
}

const sha256Of = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex')

/** Every file under dir, relative, sorted. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort()
}

async function rejectsWithCode(promise: Promise<unknown>, code: string, type?: new (...args: never[]) => Error) {
  await assert.rejects(promise, (error) => {
    assert.ok(error instanceof MaasError, String(error))
    assert.equal(error.code, code, error.message)
    if (type !== undefined) assert.ok(error instanceof type, `expected ${type.name}, got ${error.name}`)
    return true
  })
}

describe('LocalArtifactStore', () => {
  it('stores bytes under root/sha256/ab/abcdef… and reads them back', async () => {
    const { store, root } = freshStore()
    const bytes = new TextEncoder().encode('an onnx model, honestly')
    const stored = await store.put(bytes)
    const sha256 = sha256Of(bytes)
    const file = path.join(root, 'sha256', sha256.slice(0, 2), sha256)
    assert.deepEqual(stored, { sha256, sizeBytes: bytes.byteLength, uri: `file://${file}` })
    assert.equal(store.path(sha256), file)
    assert.equal(fileURLToPath(stored.uri), file)
    assert.deepEqual(readFileSync(file), Buffer.from(bytes))
    assert.deepEqual(await store.get(sha256), bytes)
    assert.equal(await store.has(sha256), true)
    await store.verify(sha256)
    assert.deepEqual(filesUnder(root), [path.join('sha256', sha256.slice(0, 2), sha256)])
  })

  it('streams chunks from a Readable and hashes them as one body', async () => {
    const { store } = freshStore()
    const chunks = ['alpha-', 'beta-', 'gamma'].map((text) => Buffer.from(text))
    const stored = await store.put(Readable.from(chunks))
    assert.deepEqual(stored.sha256, sha256Of('alpha-beta-gamma'))
    assert.equal(stored.sizeBytes, 16)
    assert.equal(Buffer.from(await store.get(stored.sha256)).toString(), 'alpha-beta-gamma')
  })

  it('detects content corrupted on disk', async () => {
    const { store } = freshStore()
    const { sha256 } = await store.put(Buffer.from('weights'))
    writeFileSync(store.path(sha256), 'weightz')
    await rejectsWithCode(store.get(sha256), 'INTERNAL', ArtifactCorruptError)
    await rejectsWithCode(store.verify(sha256), 'INTERNAL', ArtifactCorruptError)
    // Putting the true content again repairs it.
    await store.put(Buffer.from('weights'))
    assert.equal(Buffer.from(await store.get(sha256)).toString(), 'weights')
  })

  it('leaves nothing behind when the stream breaks off', async () => {
    const { store, root } = freshStore()
    async function* interrupted() {
      yield Buffer.alloc(64 * 1024, 1)
      yield Buffer.alloc(64 * 1024, 2)
      throw new Error('client disconnected')
    }
    await assert.rejects(store.put(interrupted()), /client disconnected/)
    assert.deepEqual(filesUnder(root), [])
  })

  it('refuses a body over maxBytes with 413 and leaves nothing behind', async () => {
    const { store, root } = freshStore()
    await rejectsWithCode(store.put(Buffer.alloc(11), { maxBytes: 10 }), 'PAYLOAD_TOO_LARGE', PayloadTooLargeError)
    const chunks = Array.from({ length: 8 }, () => Buffer.alloc(4096))
    await rejectsWithCode(store.put(Readable.from(chunks), { maxBytes: 5 * 4096 }), 'PAYLOAD_TOO_LARGE', PayloadTooLargeError)
    assert.deepEqual(filesUnder(root), [])
    assert.equal((await store.put(Buffer.alloc(10), { maxBytes: 10 })).sizeBytes, 10)
  })

  it('refuses content that does not match the expected digest', async () => {
    const { store, root } = freshStore()
    await rejectsWithCode(store.put(Buffer.from('a'), { expectedSha256: sha256Of('b') }), 'INVALID_ARGUMENT')
    assert.deepEqual(filesUnder(root), [])
    assert.equal((await store.put(Buffer.from('a'), { expectedSha256: sha256Of('a') })).sha256, sha256Of('a'))
  })

  it('stores identical content once, also when the puts run concurrently', async () => {
    const { store, root } = freshStore()
    const body = Buffer.alloc(256 * 1024, 7)
    const results = await Promise.all(Array.from({ length: 10 }, () => store.put(Readable.from([body.subarray(0, 1000), body.subarray(1000)]))))
    assert.equal(new Set(results.map((r) => JSON.stringify(r))).size, 1)
    assert.deepEqual(await store.put(body), results[0])
    const sha256 = sha256Of(body)
    assert.deepEqual(filesUnder(root), [path.join('sha256', sha256.slice(0, 2), sha256)])
    await store.verify(sha256)
  })

  it('answers NOT_FOUND for absent artifacts and INVALID_ARGUMENT for malformed hashes', async () => {
    const { store } = freshStore()
    const absent = sha256Of('absent')
    await rejectsWithCode(store.get(absent), 'NOT_FOUND', ArtifactNotFoundError)
    await rejectsWithCode(store.verify(absent), 'NOT_FOUND', ArtifactNotFoundError)
    assert.equal(await store.has(absent), false)
    for (const bad of ['../../etc/passwd', absent.toUpperCase(), absent.slice(1)]) {
      await rejectsWithCode(store.get(bad), 'INVALID_ARGUMENT')
      assert.throws(() => store.path(bad), MaasError)
    }
  })

  it('deletes, and says whether there was anything to delete', async () => {
    const { store } = freshStore()
    const { sha256 } = await store.put(Buffer.from('x'))
    assert.equal(await store.delete(sha256), true)
    assert.equal(await store.delete(sha256), false)
    assert.equal(await store.has(sha256), false)
  })

  it('collects unreferenced artifacts and abandoned uploads older than the grace period', async () => {
    const { store, root } = freshStore()
    const kept = await store.put(Buffer.from('kept'))
    const dropped = await store.put(Buffer.from('dropped'))
    assert.deepEqual(await store.collectGarbage(new Set([kept.sha256])), { deleted: [], freedBytes: 0 }, 'too young by default')
    const abandoned = path.join(root, 'tmp', 'dead.partial')
    writeFileSync(abandoned, 'half')
    const old = new Date(Date.now() - 2 * 3600_000)
    for (const file of [store.path(kept.sha256), store.path(dropped.sha256), abandoned]) utimesSync(file, old, old)
    const result = await store.collectGarbage(new Set([kept.sha256]))
    assert.deepEqual(result, { deleted: [dropped.sha256], freedBytes: 'dropped'.length + 'half'.length })
    assert.deepEqual(filesUnder(root), [path.join('sha256', kept.sha256.slice(0, 2), kept.sha256)])
    assert.deepEqual(await new LocalArtifactStore(path.join(base, 'never-used')).collectGarbage(new Set()), { deleted: [], freedBytes: 0 })
  })
})
