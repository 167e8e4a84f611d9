import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, describe, test } from 'node:test'
import { gzipSync } from 'node:zlib'
import { downloadIdxFile, IdxDownloadFailedError, type IdxDownload } from './idx-download.ts'
import { IDX_LABELS, readIdxFile } from './idx-reader.ts'
import { encodeIdx } from './idx-writer.ts'

const root = mkdtempSync(path.join(os.tmpdir(), 'maas-download-'))
after(() => rmSync(root, { recursive: true, force: true }))
const labels = encodeIdx('uint8', [3], [4, 5, 6])

function request(dir: string, body: Uint8Array | Error, status = 200): IdxDownload {
  const fetchImpl = (async () => {
    if (body instanceof Error) throw body
    return new Response(body, { status })
  }) as typeof fetch
  return { url: 'http://mirror.test/labels.gz', dir, baseName: 'labels-idx1-ubyte', expect: IDX_LABELS, fetchImpl, timeoutMs: 1000 }
}

describe('downloadIdxFile', () => {
  test('caches gzipped bytes as <baseName>.gz, raw bytes as <baseName>, and leaves no temp file', async () => {
    const zipped = await downloadIdxFile(request(path.join(root, 'a', 'nested'), gzipSync(labels)))
    assert.equal(path.basename(zipped.file), 'labels-idx1-ubyte.gz')
    assert.deepEqual([...zipped.tensor.data], [4, 5, 6])
    assert.deepEqual([...(await readIdxFile(zipped.file)).data], [4, 5, 6])
    const raw = await downloadIdxFile(request(path.join(root, 'b'), labels))
    assert.equal(path.basename(raw.file), 'labels-idx1-ubyte')
    assert.deepEqual(readdirSync(path.join(root, 'a', 'nested')), ['labels-idx1-ubyte.gz'])
  })

  test('turns transport failures and error statuses into IdxDownloadFailedError', async () => {
    await assert.rejects(downloadIdxFile(request(path.join(root, 'c'), new TypeError('fetch failed'))), IdxDownloadFailedError)
    await assert.rejects(downloadIdxFile(request(path.join(root, 'c'), labels, 503)), /download of http:\/\/mirror\.test\/labels\.gz failed: HTTP 503/)
  })

  test('writes nothing when the bytes are not the expected IDX file', async () => {
    const dir = path.join(root, 'd')
    await assert.rejects(downloadIdxFile(request(dir, encodeIdx('uint8', [1, 1, 1], [0]))), /wrong magic number 0x00000803/)
    assert.throws(() => readdirSync(dir), /ENOENT/)
  })
})
