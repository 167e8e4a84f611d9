/**
 * @module server/http/multipart-reader
 * A streaming multipart/form-data reader (RFC 7578), enough for uploads: parts come one at a
 * time, each with its name, filename and type, and a body that streams without buffering the
 * whole part. A part's body must be consumed (or skipped) before the next part is asked for.
 * A body that ends before the closing boundary is an INVALID_ARGUMENT, so a truncated upload
 * fails instead of storing half a file.
 */
import { InvalidArgumentError } from '../../core/errors.ts'

export interface MultipartPart {
  readonly name: string
  readonly filename: string | undefined
  readonly contentType: string | undefined
  /** The part's bytes; iterate once. */
  readonly body: AsyncIterable<Buffer>
}

const MAX_HEADER_BYTES = 16 * 1024
const CRLF = Buffer.from('\r\n')
const HEADER_END = Buffer.from('\r\n\r\n')

/** The boundary of a `multipart/form-data; boundary=…` content type; INVALID_ARGUMENT without one. */
export function multipartBoundary(contentType: string): string {
  const match = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType)
  const boundary = match?.[1] ?? match?.[2]
  if (!boundary) throw new InvalidArgumentError('multipart/form-data needs a boundary parameter in Content-Type')
  return boundary
}

/** Reads `source` (a request) as multipart with `boundary`, yielding its parts in order. */
export async function* readMultipart(source: AsyncIterable<Buffer | string>, boundary: string): AsyncGenerator<MultipartPart> {
  const reader = new ChunkReader(source)
  const delimiter = Buffer.from(`\r\n--${boundary}`)
  // The first boundary may open the body directly, without the CRLF before it.
  await reader.skipUntil(delimiter.subarray(2), 'the opening boundary')
  for (;;) {
    if (await reader.startsWith(Buffer.from('--'))) return
    await reader.expect(CRLF, 'CRLF after the boundary')
    const headers = parseHeaders((await reader.readUntil(HEADER_END, MAX_HEADER_BYTES, 'the end of the part headers')).toString('latin1'))
    let finished = false
    const body = (async function* () {
      yield* reader.streamUntil(delimiter)
      finished = true
    })()
    yield { ...headers, body }
    // Skip what the consumer left; the reader's position is shared, so this resumes mid-part.
    if (!finished) for await (const _skipped of reader.streamUntil(delimiter));
  }
}

function parseHeaders(text: string): Omit<MultipartPart, 'body'> {
  let name: string | undefined
  let filename: string | undefined
  let contentType: string | undefined
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':')
    if (colon <= 0) continue
    const key = line.slice(0, colon).trim().toLowerCase()
    const value = line.slice(colon + 1).trim()
    if (key === 'content-type') contentType = value.split(';')[0]!.trim().toLowerCase()
    if (key === 'content-disposition') {
      name = /;\s*name="([^"]*)"/i.exec(value)?.[1] ?? /;\s*name=([^;\s]+)/i.exec(value)?.[1]
      filename = /;\s*filename="([^"]*)"/i.exec(value)?.[1] ?? /;\s*filename=([^;\s]+)/i.exec(value)?.[1]
    }
  }
  if (name === undefined) throw new InvalidArgumentError('multipart: a part has no Content-Disposition name')
  return { name, filename, contentType }
}

/** A pull-based buffer over an async iterable of chunks. */
class ChunkReader {
  readonly #iterator: AsyncIterator<Buffer | string>
  #buffer: Buffer = Buffer.alloc(0)
  #ended = false

  constructor(source: AsyncIterable<Buffer | string>) {
    this.#iterator = source[Symbol.asyncIterator]()
  }

  /** Reads one more chunk into the buffer; false at the end of the source. */
  async #fill(): Promise<boolean> {
    if (this.#ended) return false
    const next = await this.#iterator.next()
    if (next.done) {
      this.#ended = true
      return false
    }
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk])
    return true
  }

  async #ensure(bytes: number, what: string): Promise<void> {
    while (this.#buffer.length < bytes) if (!(await this.#fill())) throw truncated(what)
  }

  async startsWith(prefix: Buffer): Promise<boolean> {
    await this.#ensure(prefix.length, 'the boundary')
    return this.#buffer.subarray(0, prefix.length).equals(prefix)
  }

  async expect(prefix: Buffer, what: string): Promise<void> {
    if (!(await this.startsWith(prefix))) throw new InvalidArgumentError(`multipart: expected ${what}`)
    this.#buffer = this.#buffer.subarray(prefix.length)
  }

  async skipUntil(marker: Buffer, what: string): Promise<void> {
    for (;;) {
      const index = this.#buffer.indexOf(marker)
      if (index !== -1) {
        this.#buffer = this.#buffer.subarray(index + marker.length)
        return
      }
      this.#buffer = this.#buffer.subarray(Math.max(0, this.#buffer.length - marker.length + 1))
      if (!(await this.#fill())) throw truncated(what)
    }
  }

  async readUntil(marker: Buffer, limit: number, what: string): Promise<Buffer> {
    for (;;) {
      const index = this.#buffer.indexOf(marker)
      if (index !== -1) {
        const head = this.#buffer.subarray(0, index)
        this.#buffer = this.#buffer.subarray(index + marker.length)
        return head
      }
      if (this.#buffer.length > limit) throw new InvalidArgumentError(`multipart: ${what} is not within ${limit} bytes`)
      if (!(await this.#fill())) throw truncated(what)
    }
  }

  /** Yields bytes up to `marker`, consuming it; keeps back a tail that could be its start. */
  async *streamUntil(marker: Buffer): AsyncGenerator<Buffer> {
    for (;;) {
      const index = this.#buffer.indexOf(marker)
      if (index !== -1) {
        if (index > 0) yield this.#buffer.subarray(0, index)
        this.#buffer = this.#buffer.subarray(index + marker.length)
        return
      }
      const safe = this.#buffer.length - marker.length + 1
      if (safe > 0) {
        const out = this.#buffer.subarray(0, safe)
        this.#buffer = this.#buffer.subarray(safe)
        yield out
      }
      if (!(await this.#fill())) throw truncated('the closing boundary')
    }
  }
}

function truncated(what: string): InvalidArgumentError {
  return new InvalidArgumentError(`multipart: the body ends before ${what} (truncated upload?)`)
}
