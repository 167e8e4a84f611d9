/**
 * @module server/http/read-body
 * Reads a request body into one Buffer, refusing it (413) as soon as it passes the limit,
 * from the Content-Length header when there is one, else while streaming. A body sent with
 * `Content-Encoding: gzip` or `deflate` (tritonclient's request_compression_algorithm) is
 * decompressed, and the limit applies to the decompressed size too; other codings get 415.
 */
import type { IncomingMessage } from 'node:http'
import { promisify } from 'node:util'
import { gunzip, inflate } from 'node:zlib'
import { InvalidArgumentError, MaasError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../../core/errors.ts'

type Decompress = (compressed: Buffer, options: { maxOutputLength: number }) => Promise<Buffer>

const DECOMPRESSORS: ReadonlyMap<string, Decompress> = new Map([
  ['gzip', promisify(gunzip)],
  ['x-gzip', promisify(gunzip)],
  ['deflate', promisify(inflate)],
])

/** The request body, decompressed when it has a Content-Encoding. */
export function readBody(request: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const header = request.headers['content-encoding']
  if (header === undefined) return readRawBody(request, limitBytes)
  const encoding = header.trim().toLowerCase()
  if (encoding === '' || encoding === 'identity') return readRawBody(request, limitBytes)
  const decompress = DECOMPRESSORS.get(encoding)
  if (!decompress) {
    return Promise.reject(new MaasError('UNSUPPORTED_MEDIA_TYPE', `unsupported Content-Encoding '${header}'; maas reads gzip, deflate or identity`))
  }
  return readRawBody(request, limitBytes).then((compressed) =>
    decompress(compressed, { maxOutputLength: limitBytes }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ERR_BUFFER_TOO_LARGE') throw new PayloadTooLargeError(limitBytes)
      throw new InvalidArgumentError(`the ${encoding} request body cannot be decompressed: ${error.message}`)
    }),
  )
}

/**
 * Plain 'data' / 'end' listeners rather than `for await`: the async iterator costs a promise
 * and a generator step per chunk, a measurable share of a small inference request.
 */
function readRawBody(request: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const declared = request.headers['content-length']
  if (declared !== undefined && Number(declared) > limitBytes) return Promise.reject(new PayloadTooLargeError(limitBytes))
  // A client that hung up while the request waited (admission, authorisation) has already
  // closed the stream: no event would come, so answer from its state.
  if (request.destroyed || request.readableAborted) return Promise.reject(prematureClose())
  if (request.readableEnded) return Promise.resolve(Buffer.alloc(0))
  return new Promise((resolve, reject) => {
    new BodyCollector(request, limitBytes, resolve, reject).listen()
  })
}

/**
 * One body being read. The listeners are assigned in the constructor, not declared as named
 * closures: tsx compiles with esbuild's keepNames, which wraps each named closure in an
 * Object.defineProperty call that costs more than the rest of reading a small body.
 */
class BodyCollector {
  readonly #request: IncomingMessage
  #first: Buffer | undefined
  #chunks: Buffer[] | undefined
  #length = 0
  readonly #onData: (chunk: Buffer) => void
  readonly #onEnd: () => void
  readonly #onError: (error: Error) => void
  readonly #onClose: () => void

  constructor(request: IncomingMessage, limitBytes: number, resolve: (body: Buffer) => void, reject: (error: Error) => void) {
    this.#request = request
    this.#onData = (chunk) => {
      this.#length += chunk.length
      if (this.#length > limitBytes) {
        // The rest is left unread (paused); the error response closes the connection once sent.
        this.#stop()
        request.pause()
        reject(new PayloadTooLargeError(limitBytes))
      } else if (this.#first === undefined) this.#first = chunk
      else (this.#chunks ??= [this.#first]).push(chunk)
    }
    this.#onEnd = () => {
      this.#stop()
      resolve(this.#chunks ? Buffer.concat(this.#chunks, this.#length) : (this.#first ?? Buffer.alloc(0)))
    }
    this.#onError = (error) => {
      this.#stop()
      reject(error)
    }
    this.#onClose = () => this.#onError(prematureClose())
  }

  listen(): void {
    this.#request.on('data', this.#onData)
    this.#request.on('end', this.#onEnd)
    this.#request.on('error', this.#onError)
    this.#request.on('close', this.#onClose)
  }

  #stop(): void {
    this.#request.off('data', this.#onData)
    this.#request.off('end', this.#onEnd)
    this.#request.off('error', this.#onError)
    this.#request.off('close', this.#onClose)
  }
}

function prematureClose(): Error {
  return Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' })
}

/**
 * Media types read as JSON bodies. Beyond application/json: curl's default for `-d`
 * (x-www-form-urlencoded, used unchanged by TF Serving's and KServe's own curl examples) and
 * fetch's default for string bodies (text/plain).
 */
export const JSON_MEDIA_TYPES = ['application/json', 'text/plain', 'application/x-www-form-urlencoded'] as const

/** Throws 415 unless the request's media type (parameters ignored) is one of `accepted`; a missing type is accepted. */
export function checkContentType(request: IncomingMessage, accepted: readonly string[]): void {
  const header = request.headers['content-type']
  if (header === undefined || header === '' || accepted.includes(header)) return
  const mediaType = header.split(';')[0]!.trim().toLowerCase()
  if (!accepted.includes(mediaType) && !(mediaType.endsWith('+json') && accepted.includes('application/json'))) {
    throw new UnsupportedMediaTypeError(mediaType, accepted)
  }
}

/** Parses an optional JSON object body (empty body → {}). */
export function parseJsonObject(body: Buffer, what: string): Record<string, unknown> {
  if (body.length === 0) return {}
  let value: unknown
  try {
    value = JSON.parse(body.toString('utf8'))
  } catch (error) {
    throw new InvalidArgumentError(`${what}: body is not valid JSON: ${(error as Error).message}`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError(`${what}: body must be a JSON object`)
  }
  return value as Record<string, unknown>
}
