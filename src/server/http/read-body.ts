/**
 * @module server/http/read-body
 * Reads a request body into one Buffer, refusing it (413) as soon as it passes the limit,
 * from the Content-Length header when there is one, else while streaming.
 */
import type { IncomingMessage } from 'node:http'
import { InvalidArgumentError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../../core/errors.ts'

export async function readBody(request: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const declared = request.headers['content-length']
  if (declared !== undefined && Number(declared) > limitBytes) throw new PayloadTooLargeError(limitBytes)
  const chunks: Buffer[] = []
  let length = 0
  for await (const chunk of request as AsyncIterable<Buffer>) {
    length += chunk.length
    if (length > limitBytes) throw new PayloadTooLargeError(limitBytes)
    chunks.push(chunk)
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length)
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
  if (header === undefined || header === '') return
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
