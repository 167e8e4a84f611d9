/**
 * @module server/http/multipart-reader.test
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MaasError } from '../../core/errors.ts'
import { multipartBoundary, readMultipart } from './multipart-reader.ts'

const BOUNDARY = 'b0und'

function body(parts: { name: string; filename?: string; type?: string; data: string | Buffer }[], preamble = ''): Buffer {
  const chunks: Buffer[] = [Buffer.from(preamble)]
  for (const part of parts) {
    const filename = part.filename ? `; filename="${part.filename}"` : ''
    const type = part.type ? `\r\nContent-Type: ${part.type}` : ''
    chunks.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${part.name}"${filename}${type}\r\n\r\n`), Buffer.from(part.data), Buffer.from('\r\n'))
  }
  chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`))
  return Buffer.concat(chunks)
}

/** The body cut into chunks of `size` bytes, so boundaries straddle chunk edges. */
async function* chunked(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let offset = 0; offset < bytes.length; offset += size) yield bytes.subarray(offset, offset + size)
}

async function readAll(source: AsyncIterable<Buffer>) {
  const parts = []
  for await (const part of readMultipart(source, BOUNDARY)) {
    const chunks: Buffer[] = []
    for await (const chunk of part.body) chunks.push(chunk)
    parts.push({ name: part.name, filename: part.filename, contentType: part.contentType, data: Buffer.concat(chunks).toString('latin1') })
  }
  return parts
}

describe('readMultipart', () => {
  const binary = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7) % 256))
  const sample = body([
    { name: 'metadata', type: 'application/json', data: '{"a":1}' },
    { name: 'file', filename: 'model.onnx', type: 'application/octet-stream', data: Buffer.concat([binary, Buffer.from(`\r\n--${BOUNDARY.slice(0, 3)}`), binary]) },
  ], 'preamble to ignore\r\n')

  it('yields every part with its headers and exact bytes, whatever the chunking', async () => {
    const expected = [
      { name: 'metadata', filename: undefined, contentType: 'application/json', data: '{"a":1}' },
      { name: 'file', filename: 'model.onnx', contentType: 'application/octet-stream', data: Buffer.concat([binary, Buffer.from(`\r\n--${BOUNDARY.slice(0, 3)}`), binary]).toString('latin1') },
    ]
    for (const size of [1, 2, 3, 7, 64, 1000, sample.length]) assert.deepEqual(await readAll(chunked(sample, size)), expected, `chunks of ${size}`)
  })

  it('skips a part body the consumer did not read', async () => {
    const names = []
    for await (const part of readMultipart(chunked(sample, 5), BOUNDARY)) names.push(part.name)
    assert.deepEqual(names, ['metadata', 'file'])
  })

  it('refuses a body that ends before its closing boundary', async () => {
    for (const cut of [10, sample.length - 30, sample.length - 4]) {
      await assert.rejects(readAll(chunked(sample.subarray(0, cut), 16)), (error) => error instanceof MaasError && error.code === 'INVALID_ARGUMENT' && /truncated/.test(error.message))
    }
  })

  it('refuses a part without a name, and reads the boundary from Content-Type', async () => {
    const nameless = Buffer.from(`--${BOUNDARY}\r\nContent-Type: text/plain\r\n\r\nx\r\n--${BOUNDARY}--`)
    await assert.rejects(readAll(chunked(nameless, 4)), /no Content-Disposition name/)
    assert.equal(multipartBoundary('multipart/form-data; boundary=abc'), 'abc')
    assert.equal(multipartBoundary('multipart/form-data; charset=utf-8; boundary="a b"'), 'a b')
    assert.throws(() => multipartBoundary('multipart/form-data'), /needs a boundary/)
  })
})
