import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, describe, test } from 'node:test'
import { gzipSync } from 'node:zlib'
import { DatasetFormatError } from './dataset-errors.ts'
import { decodeIdx, IDX_IMAGES, IDX_LABELS, idxToDataset, parseIdx, readIdxFile } from './idx-reader.ts'
import { encodeIdx } from './idx-writer.ts'

const images = encodeIdx('uint8', [2, 2, 3], [0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255])
const labels = encodeIdx('uint8', [2], [7, 3])
const dir = mkdtempSync(path.join(os.tmpdir(), 'maas-idx-'))
after(() => rmSync(dir, { recursive: true, force: true }))

/** Asserts that `run` throws a DatasetFormatError whose message matches every pattern. */
function assertFormatError(run: () => unknown, ...patterns: RegExp[]): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof DatasetFormatError, String(error))
    assert.equal(error.code, 'INVALID_ARGUMENT')
    for (const pattern of patterns) assert.match(error.message, pattern)
    return true
  })
}

describe('parseIdx', () => {
  test('reads an MNIST-style image file: uint8, 3 dimensions', () => {
    const tensor = parseIdx(images, 'images', IDX_IMAGES)
    assert.equal(tensor.dtype, 'uint8')
    assert.deepEqual(tensor.dims, [2, 2, 3])
    assert.deepEqual([...tensor.data], [0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255])
  })

  test('reports a header shorter than 4 bytes as truncated, naming the file', () => {
    assertFormatError(() => parseIdx(new Uint8Array([0, 0, 8]), '/data/x.idx'), /^\/data\/x\.idx: truncated IDX header/)
  })

  test('reports a header cut inside the dimension sizes as truncated', () => {
    assertFormatError(() => parseIdx(images.subarray(0, 10), 'images'), /truncated IDX header \(10 bytes, need 16 for 3 dimensions\)/)
  })

  test('rejects a wrong magic number, showing it in hex', () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0])
    assertFormatError(() => parseIdx(png, 'cat.png', IDX_LABELS), /cat\.png: wrong magic number 0x89504e47/, /expected 0x00000801/)
  })

  test('rejects an unknown element type and zero dimensions', () => {
    assertFormatError(() => parseIdx(new Uint8Array([0, 0, 0x0a, 1, 0, 0, 0, 0]), 'f'), /wrong magic number 0x00000a01/)
    assertFormatError(() => parseIdx(new Uint8Array([0, 0, 8, 0]), 'f'), /wrong magic number 0x00000800/)
  })

  test('rejects a label file where images are expected', () => {
    assertFormatError(() => parseIdx(labels, 'labels', IDX_IMAGES), /wrong magic number 0x00000801 \(uint8, 1 dimensions\); expected 0x00000803/)
  })

  test('rejects data shorter or longer than the product of the dimensions', () => {
    assertFormatError(() => parseIdx(images.subarray(0, images.length - 1), 'img'), /img: IDX data truncated: dimensions \[2, 2, 3\] of uint8 need 12 bytes, found 11/)
    const longer = new Uint8Array([...labels, 9])
    assertFormatError(() => parseIdx(longer, 'lbl'), /lbl: IDX data has trailing bytes/)
  })

  test('decodes big-endian multi-byte elements', () => {
    const bytes = new Uint8Array([0, 0, 0x0b, 1, 0, 0, 0, 2, 0x01, 0x02, 0xff, 0xfe])
    assert.deepEqual([...parseIdx(bytes, 'i16').data], [258, -2])
  })
})

describe('decodeIdx and readIdxFile', () => {
  test('gunzip transparently when the bytes start with 1f 8b', () => {
    assert.deepEqual(decodeIdx(gzipSync(labels), 'l.gz').data, parseIdx(labels, 'l').data)
  })

  test('read raw and gzipped files alike', async () => {
    writeFileSync(path.join(dir, 'raw-idx1-ubyte'), labels)
    writeFileSync(path.join(dir, 'zipped-idx1-ubyte.gz'), gzipSync(labels))
    const raw = await readIdxFile(path.join(dir, 'raw-idx1-ubyte'), IDX_LABELS)
    const zipped = await readIdxFile(path.join(dir, 'zipped-idx1-ubyte.gz'), IDX_LABELS)
    assert.deepEqual([...raw.data], [7, 3])
    assert.deepEqual([...zipped.data], [7, 3])
  })

  test('report a truncated gzip file as corrupt, naming the path', async () => {
    const file = path.join(dir, 'cut.gz')
    const zipped = gzipSync(images)
    writeFileSync(file, zipped.subarray(0, zipped.length - 8))
    await assert.rejects(readIdxFile(file), (error: unknown) => {
      assert.ok(error instanceof DatasetFormatError)
      assert.ok(error.message.startsWith(`${file}: corrupt gzip data`), error.message)
      return true
    })
    assertFormatError(() => decodeIdx(zipped.subarray(0, 20), 'cut.gz'), /cut\.gz: corrupt gzip data/)
  })
})

describe('idxToDataset', () => {
  const sources = { images: 'imgs', labels: 'lbls' }

  test('pairs images and labels into float samples with raw values', () => {
    const dataset = idxToDataset(parseIdx(images, 'i'), parseIdx(labels, 'l'), sources, { classes: 10 })
    assert.equal(dataset.count, 2)
    assert.deepEqual(dataset.sampleShape, [2, 3])
    assert.ok(dataset.x instanceof Float32Array)
    assert.equal(dataset.x[11], 255)
    assert.deepEqual([...dataset.y], [7, 3])
    assert.equal(dataset.classes, 10)
  })

  test('rejects a label/image count mismatch naming both files', () => {
    const three = parseIdx(encodeIdx('uint8', [3], [1, 2, 3]), 'l')
    assertFormatError(() => idxToDataset(parseIdx(images, 'i'), three, sources), /label\/image count mismatch: lbls holds 3 labels, imgs holds 2 images/)
  })

  test('rejects labels outside the class range', () => {
    assertFormatError(() => idxToDataset(parseIdx(images, 'i'), parseIdx(labels, 'l'), sources, { classes: 5 }), /lbls: label 7 at index 0 is outside 0\.\.4/)
  })
})
