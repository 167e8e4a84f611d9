import assert from 'node:assert/strict'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, describe, test } from 'node:test'
import { gzipSync } from 'node:zlib'
import { DatasetFormatError, DatasetNotFoundError } from './dataset-errors.ts'
import { encodeIdx } from './idx-writer.ts'
import { IDX_FILE_NAMES, loadNamedDataset } from './named-datasets.ts'

const root = mkdtempSync(path.join(os.tmpdir(), 'maas-named-'))
after(() => rmSync(root, { recursive: true, force: true }))
let dirs = 0
const freshDir = (): string => path.join(root, String(dirs++))

/** The four canonical files for `train` and `test` tiny 2x2 images labelled i % 10; first pixel = marker. */
function idxFiles(train: number, test: number, marker = 0): Record<string, Uint8Array> {
  const images = (n: number): Uint8Array => encodeIdx('uint8', [n, 2, 2], Array.from({ length: n * 4 }, (_, i) => (i % 4 === 0 ? marker : i % 256)))
  const labels = (n: number): Uint8Array => encodeIdx('uint8', [n], Array.from({ length: n }, (_, i) => i % 10))
  return {
    [IDX_FILE_NAMES.trainImages]: images(train),
    [IDX_FILE_NAMES.trainLabels]: labels(train),
    [IDX_FILE_NAMES.testImages]: images(test),
    [IDX_FILE_NAMES.testLabels]: labels(test),
  }
}

/** Writes the files into dir, gzipping the training ones (real layouts mix both). */
function writeIdxFiles(dir: string, files: Record<string, Uint8Array>): void {
  mkdirSync(dir, { recursive: true })
  for (const [name, bytes] of Object.entries(files)) {
    if (name.startsWith('train')) writeFileSync(path.join(dir, `${name}.gz`), gzipSync(bytes))
    else writeFileSync(path.join(dir, name), bytes)
  }
}

/** A fetch that serves `files` gzipped by base name, recording the URLs asked for. */
function fakeFetch(files: Record<string, Uint8Array>): { fetchImpl: typeof fetch; urls: string[] } {
  const urls: string[] = []
  const fetchImpl = (async (input: string | URL | Request) => {
    const url = String(input)
    urls.push(url)
    const bytes = files[path.basename(url, '.gz')]
    return bytes === undefined ? new Response('no such key', { status: 404, statusText: 'Not Found' }) : new Response(gzipSync(bytes))
  }) as typeof fetch
  return { fetchImpl, urls }
}

const offlineFetch = (async () => {
  throw new TypeError('fetch failed', { cause: Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }) })
}) as typeof fetch

describe('loadNamedDataset: where files are found', () => {
  test('uses <dataDir>/<name>/ with gzipped and raw files alike', async () => {
    const dataDir = freshDir()
    writeIdxFiles(path.join(dataDir, 'mnist'), idxFiles(6, 4))
    const { train, test: testPart } = await loadNamedDataset('mnist', { dataDir, download: false })
    assert.deepEqual([train.count, testPart.count], [6, 4])
    assert.deepEqual(train.sampleShape, [2, 2])
    assert.deepEqual([...testPart.y], [0, 1, 2, 3])
    assert.equal(train.classes, 10)
  })

  test('prefers <dataDir>/<name>/ over a system directory, and falls back to it', async () => {
    const dataDir = freshDir()
    const system = freshDir()
    writeIdxFiles(system, idxFiles(3, 3, 200))
    const fromSystem = await loadNamedDataset('fashion-mnist', { dataDir, systemDirs: [system], download: false })
    assert.equal(fromSystem.train.x[0], 200)
    assert.equal(fromSystem.train.labels?.[9], 'Ankle boot')
    writeIdxFiles(path.join(dataDir, 'fashion-mnist'), idxFiles(3, 3, 100))
    const fromDataDir = await loadNamedDataset('fashion-mnist', { dataDir, systemDirs: [system], download: false })
    assert.equal(fromDataDir.train.x[0], 100)
  })

  test('reports a label/image count mismatch naming both files', async () => {
    const dataDir = freshDir()
    const files = idxFiles(5, 2)
    files[IDX_FILE_NAMES.trainLabels] = encodeIdx('uint8', [4], [0, 1, 2, 3])
    writeIdxFiles(path.join(dataDir, 'mnist'), files)
    await assert.rejects(loadNamedDataset('mnist', { dataDir, download: false }), (error: unknown) => {
      assert.ok(error instanceof DatasetFormatError)
      assert.match(error.message, /label\/image count mismatch: .*train-labels-idx1-ubyte\.gz holds 4 labels, .*train-images-idx3-ubyte\.gz holds 5 images/)
      return true
    })
  })
})

describe('loadNamedDataset: when files are missing', () => {
  test('with download disabled, names the directory and files to put in place', async () => {
    const dataDir = freshDir()
    await assert.rejects(loadNamedDataset('fashion-mnist', { dataDir, download: false, systemDirs: [freshDir()] }), (error: unknown) => {
      assert.ok(error instanceof DatasetNotFoundError)
      assert.equal(error.code, 'NOT_FOUND')
      assert.ok(error.message.includes(`${path.join(dataDir, 'fashion-mnist')}/`), error.message)
      for (const name of Object.values(IDX_FILE_NAMES)) assert.ok(error.message.includes(`${name}.gz`), name)
      assert.match(error.message, /downloading is disabled/)
      assert.match(error.message, /apt-get install dataset-fashion-mnist/)
      return true
    })
  })

  test('offline, says the download failed and where to put the files', async () => {
    const dataDir = freshDir()
    await assert.rejects(loadNamedDataset('mnist', { dataDir, fetchImpl: offlineFetch }), (error: unknown) => {
      assert.ok(error instanceof DatasetNotFoundError)
      assert.match(error.message, /download of https:\/\/ossci-datasets\.s3\.amazonaws\.com\/mnist\/train-images-idx3-ubyte\.gz failed: fetch failed \(ENOTFOUND\)/)
      assert.ok(error.message.includes(`Put train-images-idx3-ubyte.gz`) && error.message.includes(path.join(dataDir, 'mnist')), error.message)
      assert.doesNotMatch(error.message, /apt-get/)
      return true
    })
  })

  test('without a dataDir, says there is nowhere to download into', async () => {
    await assert.rejects(loadNamedDataset('mnist', { fetchImpl: offlineFetch }), /no data directory is configured to download into\. Put .* in <dataDir>\/mnist\//)
  })

  test('downloads from the canonical mirror into <dataDir>/<name>/ and serves the cache next time', async () => {
    const dataDir = freshDir()
    const files = idxFiles(8, 2)
    const first = fakeFetch(files)
    const loaded = await loadNamedDataset('fashion-mnist', { dataDir, fetchImpl: first.fetchImpl, systemDirs: [] })
    assert.deepEqual([loaded.train.count, loaded.test.count], [8, 2])
    assert.deepEqual(first.urls.sort(), Object.values(IDX_FILE_NAMES).map((n) => `http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/${n}.gz`).sort())
    const cached = readdirSync(path.join(dataDir, 'fashion-mnist')).sort()
    assert.deepEqual(cached, Object.values(IDX_FILE_NAMES).map((n) => `${n}.gz`).sort(), 'no temp files left')
    const again = await loadNamedDataset('fashion-mnist', { dataDir, fetchImpl: offlineFetch, systemDirs: [] })
    assert.deepEqual(again.train.x, loaded.train.x)
  })

  test('downloads only the files the cache lacks', async () => {
    const dataDir = freshDir()
    const files = idxFiles(4, 4)
    const local = path.join(dataDir, 'mnist')
    mkdirSync(local, { recursive: true })
    writeFileSync(path.join(local, IDX_FILE_NAMES.testLabels), files[IDX_FILE_NAMES.testLabels]!)
    const { fetchImpl, urls } = fakeFetch(files)
    await loadNamedDataset('mnist', { dataDir, fetchImpl })
    assert.equal(urls.length, 3)
    assert.ok(!urls.some((url) => url.includes('t10k-labels')))
  })

  test('does not cache a download that is not the expected IDX file', async () => {
    const dataDir = freshDir()
    const files = idxFiles(4, 4)
    files[IDX_FILE_NAMES.trainImages] = new TextEncoder().encode('<html>captive portal</html>')
    await assert.rejects(loadNamedDataset('mnist', { dataDir, fetchImpl: fakeFetch(files).fetchImpl }), /train-images-idx3-ubyte\.gz: wrong magic number/)
    assert.ok(!existsSync(path.join(dataDir, 'mnist', `${IDX_FILE_NAMES.trainImages}.gz`)))
  })

  test('reports an HTTP error status from the mirror', async () => {
    await assert.rejects(loadNamedDataset('mnist', { dataDir: freshDir(), fetchImpl: fakeFetch({}).fetchImpl }), /failed: HTTP 404 Not Found/)
  })
})

describe('loadNamedDataset: real data', () => {
  test('mnist-small: 8,000 / 2,000 digits, labels 0..9, pixels 0..255, the same split every time', async (t) => {
    const started = performance.now()
    const { train, test: testPart } = await loadNamedDataset('mnist-small')
    t.diagnostic(`mnist-small split loaded in ${(performance.now() - started).toFixed(0)} ms`)
    assert.deepEqual([train.count, testPart.count], [8_000, 2_000])
    for (const part of [train, testPart]) {
      assert.deepEqual(new Set(part.y), new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]))
      assert.ok(part.x.every((v) => v >= 0 && v <= 255))
    }
    const again = await loadNamedDataset('mnist-small')
    assert.deepEqual(again.test.y, testPart.y)
  })

  const system = '/usr/share/datasets/fashion-mnist'
  const skip = existsSync(system) ? false : `${system} is absent (install the Debian package dataset-fashion-mnist)`
  test('fashion-mnist from the Debian package: 60,000 / 10,000 images, labels 0..9', { skip }, async (t) => {
    const started = performance.now()
    const { train, test: testPart } = await loadNamedDataset('fashion-mnist', { dataDir: freshDir(), download: false })
    t.diagnostic(`fashion-mnist (70,000 images) loaded in ${(performance.now() - started).toFixed(0)} ms`)
    assert.deepEqual([train.count, testPart.count], [60_000, 10_000])
    assert.deepEqual(train.sampleShape, [28, 28])
    for (const part of [train, testPart]) {
      const counts = new Array<number>(10).fill(0)
      for (const label of part.y) counts[label] = counts[label]! + 1
      assert.deepEqual(counts, new Array(10).fill(part.count / 10), 'balanced classes 0..9')
    }
  })
})
