/**
 * @module artifacts/local-artifact-store
 * ArtifactStore in a local folder, content-addressed: `root/sha256/ab/abcdef…`. A put
 * streams into `root/tmp/` (same file system, so rename is atomic), hashing as it goes,
 * fsyncs the file, renames it into place and fsyncs the folder: after put returns, the
 * artifact survives a crash, and before that no reader can see a partial file.
 */
import { createHash, randomUUID } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, open, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { PayloadTooLargeError } from '../core/errors.ts'
import { ArtifactCorruptError, ArtifactDigestMismatchError, ArtifactNotFoundError } from './artifact-errors.ts'
import {
  assertSha256, isSha256, type ArtifactBody, type ArtifactStore, type GarbageCollection, type GarbageCollectionOptions,
  type PutOptions, type StoredArtifact,
} from './artifact-store.ts'

const DEFAULT_GC_MIN_AGE_MS = 60 * 60 * 1000

export class LocalArtifactStore implements ArtifactStore {
  readonly #root: string

  /** `root` is created on first put; relative roots resolve against the working directory. */
  constructor(root: string) {
    this.#root = path.resolve(root)
  }

  async put(body: ArtifactBody, options: PutOptions = {}): Promise<StoredArtifact> {
    const { maxBytes, expectedSha256 } = options
    if (expectedSha256 !== undefined) assertSha256(expectedSha256)
    if (body instanceof Uint8Array && maxBytes !== undefined && body.byteLength > maxBytes) throw new PayloadTooLargeError(maxBytes)
    const tmpDir = path.join(this.#root, 'tmp')
    await mkdir(tmpDir, { recursive: true })
    const tmp = path.join(tmpDir, `${randomUUID()}.partial`)
    const file = await open(tmp, 'wx')
    let closed = false
    try {
      const hash = createHash('sha256')
      let sizeBytes = 0
      for await (const chunk of chunksOf(body)) {
        sizeBytes += chunk.byteLength
        if (maxBytes !== undefined && sizeBytes > maxBytes) throw new PayloadTooLargeError(maxBytes)
        hash.update(chunk)
        for (let offset = 0; offset < chunk.byteLength;) {
          offset += (await file.write(chunk, offset, chunk.byteLength - offset)).bytesWritten
        }
      }
      await file.sync()
      closed = true
      await file.close()
      const sha256 = hash.digest('hex')
      if (expectedSha256 !== undefined && expectedSha256 !== sha256) throw new ArtifactDigestMismatchError(expectedSha256, sha256)
      const target = this.path(sha256)
      await mkdir(path.dirname(target), { recursive: true })
      // Renaming over an existing copy is harmless (same content) and repairs a damaged one.
      await rename(tmp, target)
      await syncDirectory(path.dirname(target))
      return { sha256, sizeBytes, uri: pathToFileURL(target).href }
    } catch (error) {
      if (!closed) await file.close().catch(() => {})
      await rm(tmp, { force: true })
      throw error
    }
  }

  async get(sha256: string): Promise<Uint8Array> {
    const file = this.path(sha256)
    let bytes: Buffer
    try {
      bytes = await readFile(file)
    } catch (error) {
      throw notFoundOr(error, sha256)
    }
    const actual = createHash('sha256').update(bytes).digest('hex')
    if (actual !== sha256) throw new ArtifactCorruptError(sha256, actual)
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }

  async verify(sha256: string): Promise<void> {
    const hash = createHash('sha256')
    try {
      for await (const chunk of createReadStream(this.path(sha256))) hash.update(chunk as Buffer)
    } catch (error) {
      throw notFoundOr(error, sha256)
    }
    const actual = hash.digest('hex')
    if (actual !== sha256) throw new ArtifactCorruptError(sha256, actual)
  }

  async has(sha256: string): Promise<boolean> {
    try {
      return (await stat(this.path(sha256))).isFile()
    } catch {
      return false
    }
  }

  async delete(sha256: string): Promise<boolean> {
    try {
      await unlink(this.path(sha256))
      return true
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false
      throw error
    }
  }

  path(sha256: string): string {
    assertSha256(sha256)
    return path.join(this.#root, 'sha256', sha256.slice(0, 2), sha256)
  }

  async collectGarbage(referenced: ReadonlySet<string>, options: GarbageCollectionOptions = {}): Promise<GarbageCollection> {
    const cutoff = Date.now() - (options.minAgeMs ?? DEFAULT_GC_MIN_AGE_MS)
    const deleted: string[] = []
    let freedBytes = 0
    const removeIfOld = async (file: string): Promise<boolean> => {
      const info = await stat(file).catch(() => undefined)
      if (info === undefined || !info.isFile() || info.mtimeMs > cutoff) return false
      await rm(file, { force: true })
      freedBytes += info.size
      return true
    }
    for (const shard of await listDir(path.join(this.#root, 'sha256'))) {
      for (const name of await listDir(path.join(this.#root, 'sha256', shard))) {
        if (!isSha256(name) || referenced.has(name)) continue
        if (await removeIfOld(path.join(this.#root, 'sha256', shard, name))) deleted.push(name)
      }
    }
    // Left by a process that died mid-upload.
    for (const name of await listDir(path.join(this.#root, 'tmp'))) await removeIfOld(path.join(this.#root, 'tmp', name))
    return { deleted: deleted.sort(), freedBytes }
  }
}

async function* chunksOf(body: ArtifactBody): AsyncIterable<Uint8Array> {
  if (body instanceof Uint8Array) {
    yield body
    return
  }
  for await (const chunk of body) yield typeof chunk === 'string' ? Buffer.from(chunk) : chunk
}

async function syncDirectory(dir: string): Promise<void> {
  let handle
  try {
    handle = await open(dir, 'r')
    await handle.sync()
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic there.
  } finally {
    await handle?.close()
  }
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw error
  }
}

function notFoundOr(error: unknown, sha256: string): unknown {
  return (error as NodeJS.ErrnoException).code === 'ENOENT' ? new ArtifactNotFoundError(sha256) : error
}
