/**
 * @module cli/bench/grpc-http2-client
 * A minimal unary gRPC client on node:http2, for `maas bench`: one HTTP/2 session, requests
 * already encoded and framed by the caller, the response message returned as bytes once the
 * call ends with grpc-status 0. A benchmark's client should cost as little as it can (as
 * Triton's perf_analyzer uses its own C++ client); grpc-js spends several times more CPU per
 * call than the server's own work here. It still is a correct gRPC client: it speaks the
 * gRPC-over-HTTP/2 wire protocol, so any gRPC server (maas, Triton) answers it, and every
 * failure is a GrpcCallError with the status the protocol gives it.
 */
import http2 from 'node:http2'

/** gRPC status codes this client produces or names. */
export const GRPC_CODE = Object.freeze({
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  PERMISSION_DENIED: 7,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
})

const CODE_NAMES = ['OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS', 'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED']

/** The name of a gRPC status code ('UNAVAILABLE'), or the number for one outside the spec. */
export function grpcCodeName(code: number): string {
  return CODE_NAMES[code] ?? String(code)
}

/** A call that ended with a status other than OK. */
export class GrpcCallError extends Error {
  constructor(
    readonly code: number,
    readonly details: string,
  ) {
    super(`gRPC ${grpcCodeName(code)}: ${details}`)
    this.name = 'GrpcCallError'
  }
}

/** One message with the 5-byte gRPC prefix (not compressed, big-endian length): the body of a unary request. */
export function frameGrpcMessage(message: Uint8Array): Buffer {
  const framed = Buffer.allocUnsafe(5 + message.length)
  framed[0] = 0
  framed.writeUInt32BE(message.length, 1)
  framed.set(message, 5)
  return framed
}

export interface UnaryCallOptions {
  /** Milliseconds from now; sent as grpc-timeout and enforced here too. */
  readonly deadlineMs?: number
}

const {
  HTTP2_HEADER_METHOD, HTTP2_HEADER_PATH, HTTP2_HEADER_STATUS, HTTP2_HEADER_CONTENT_TYPE, HTTP2_HEADER_TE, HTTP2_HEADER_USER_AGENT,
  NGHTTP2_CANCEL,
} = http2.constants

/** gRPC over one HTTP/2 session (plaintext, prior knowledge) to `host:port`. */
export class GrpcHttp2Client {
  readonly #authority: string
  #session: http2.ClientHttp2Session | undefined

  constructor(address: string) {
    this.#authority = `http://${address}`
  }

  /** Calls `path` ('/package.Service/Method') with a framed request; resolves the response message bytes. */
  unary(path: string, framedRequest: Uint8Array, options: UnaryCallOptions = {}): Promise<Buffer> {
    const headers: http2.OutgoingHttpHeaders = {
      [HTTP2_HEADER_METHOD]: 'POST',
      [HTTP2_HEADER_PATH]: path,
      [HTTP2_HEADER_CONTENT_TYPE]: 'application/grpc',
      [HTTP2_HEADER_TE]: 'trailers',
      [HTTP2_HEADER_USER_AGENT]: 'maas-bench',
    }
    if (options.deadlineMs !== undefined) headers['grpc-timeout'] = `${Math.max(1, Math.ceil(options.deadlineMs))}m`
    return new Promise((resolve, reject) => {
      let stream: http2.ClientHttp2Stream
      try {
        stream = this.#openSession().request(headers, { endStream: false })
      } catch (error) {
        reject(new GrpcCallError(GRPC_CODE.UNAVAILABLE, (error as Error).message))
        return
      }
      const chunks: Buffer[] = []
      let httpStatus = 0
      let grpcStatus: number | undefined
      let grpcMessage = ''
      let failure: Error | undefined
      let timer: NodeJS.Timeout | undefined
      const readStatus = (fields: http2.IncomingHttpHeaders) => {
        const value = fields['grpc-status']
        if (value === undefined) return
        const code = Number(value)
        grpcStatus = Number.isInteger(code) && code >= 0 ? code : GRPC_CODE.UNKNOWN
        grpcMessage = decodeGrpcMessage(fields['grpc-message'])
      }
      stream.on('response', (responseHeaders) => {
        httpStatus = Number(responseHeaders[HTTP2_HEADER_STATUS])
        readStatus(responseHeaders) // a trailers-only response carries the status here
      })
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('trailers', readStatus)
      stream.on('error', (error: Error) => (failure ??= error))
      if (options.deadlineMs !== undefined) {
        timer = setTimeout(() => {
          failure = new GrpcCallError(GRPC_CODE.DEADLINE_EXCEEDED, `no answer within ${options.deadlineMs} ms`)
          stream.close(NGHTTP2_CANCEL)
        }, options.deadlineMs)
      }
      stream.on('close', () => {
        if (timer) clearTimeout(timer)
        try {
          resolve(settle(httpStatus, grpcStatus, grpcMessage, chunks, stream.rstCode, failure))
        } catch (error) {
          reject(error)
        }
      })
      stream.end(framedRequest)
    })
  }

  /** Closes the session; calls in flight finish first. */
  close(): void {
    this.#session?.close()
    this.#session = undefined
  }

  #openSession(): http2.ClientHttp2Session {
    if (this.#session && !this.#session.closed && !this.#session.destroyed) return this.#session
    const session = http2.connect(this.#authority)
    // Errors reach the streams that were open; a failed session is replaced on the next call.
    session.on('error', () => undefined)
    session.on('close', () => {
      if (this.#session === session) this.#session = undefined
    })
    session.on('goaway', () => {
      if (this.#session === session) this.#session = undefined
    })
    this.#session = session
    return session
  }
}

/** The outcome of a finished stream: the one response message, or the GrpcCallError it ended with. */
function settle(httpStatus: number, grpcStatus: number | undefined, grpcMessage: string, chunks: readonly Buffer[], rstCode: number | undefined, failure: Error | undefined): Buffer {
  if (failure instanceof GrpcCallError) throw failure
  if (grpcStatus === undefined) {
    if (failure) throw new GrpcCallError(GRPC_CODE.UNAVAILABLE, failure.message)
    if (httpStatus !== 0 && httpStatus !== 200) throw new GrpcCallError(codeOfHttpStatus(httpStatus), `HTTP status ${httpStatus} without grpc-status`)
    throw new GrpcCallError(GRPC_CODE.INTERNAL, `the stream ended without grpc-status (HTTP/2 RST_STREAM code ${rstCode ?? 0})`)
  }
  if (grpcStatus !== GRPC_CODE.OK) throw new GrpcCallError(grpcStatus, grpcMessage)
  return readOneMessage(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks))
}

/** The single uncompressed message of a unary response body. */
function readOneMessage(body: Buffer): Buffer {
  if (body.length < 5) throw new GrpcCallError(GRPC_CODE.INTERNAL, `the response body has ${body.length} bytes; expected one length-prefixed message`)
  if (body[0] !== 0) throw new GrpcCallError(GRPC_CODE.INTERNAL, 'the response message is compressed; this client asks for none')
  const length = body.readUInt32BE(1)
  if (body.length !== 5 + length) throw new GrpcCallError(GRPC_CODE.INTERNAL, `the response body has ${body.length - 5} message bytes; its prefix says ${length}`)
  return body.subarray(5)
}

/** grpc-message is percent-encoded (gRPC over HTTP/2, "Responses"). */
function decodeGrpcMessage(value: string | string[] | undefined): string {
  const text = Array.isArray(value) ? value.join(',') : (value ?? '')
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/** The gRPC code for an HTTP status that came without grpc-status (gRPC's http-grpc-status-mapping). */
function codeOfHttpStatus(status: number): number {
  switch (status) {
    case 400:
      return GRPC_CODE.INTERNAL
    case 401:
      return GRPC_CODE.UNAUTHENTICATED
    case 403:
      return GRPC_CODE.PERMISSION_DENIED
    case 404:
      return GRPC_CODE.UNIMPLEMENTED
    case 429:
    case 502:
    case 503:
    case 504:
      return GRPC_CODE.UNAVAILABLE
    default:
      return GRPC_CODE.UNKNOWN
  }
}
