/**
 * @module server/http/routes/management-upload
 * `POST /v1/registry/models/{model}/versions`: a new version from the request body, streamed
 * into the artifact store. Two shapes: `application/octet-stream` (the ONNX file is the body;
 * metadata as JSON in the `metadata` query parameter, `alias` as a shortcut), or
 * `multipart/form-data` with an optional `metadata` JSON part followed by a `file` part.
 */
import type { IncomingMessage } from 'node:http'
import { InvalidArgumentError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../../../core/errors.ts'
import { parseUploadMetadata, type UploadMetadata } from '../../../control/model-service-input.ts'
import type { ModelService } from '../../../control/model-service.ts'
import { multipartBoundary, readMultipart, type MultipartPart } from '../multipart-reader.ts'
import { sendJson } from '../respond.ts'
import type { RouteContext } from '../router.ts'

const UPLOAD_TYPES = ['application/octet-stream', 'multipart/form-data'] as const
const METADATA_LIMIT = 64 * 1024

/** Handles one upload for `actor`; answers 201 with the READY version. */
export async function handleUpload(service: ModelService, { request, response, params }: RouteContext, actor: string): Promise<void> {
  const model = params.model!
  const header = request.headers['content-type'] ?? ''
  const mediaType = header.split(';')[0]!.trim().toLowerCase()
  // multipart adds a few hundred bytes of framing to the file; the store enforces the exact limit.
  const declared = Number(request.headers['content-length'] ?? NaN)
  if (declared > service.maxUploadBytes + (mediaType === 'multipart/form-data' ? METADATA_LIMIT : 0)) throw new PayloadTooLargeError(service.maxUploadBytes)
  let upload: { body: AsyncIterable<Buffer>; metadata: UploadMetadata }
  if (mediaType === 'application/octet-stream') upload = { body: request, metadata: queryMetadata(request, model) }
  else if (mediaType === 'multipart/form-data') upload = await readMultipartUpload(request, multipartBoundary(header), model)
  else throw new UnsupportedMediaTypeError(mediaType || '(none)', UPLOAD_TYPES)
  const version = await service.uploadVersion(model, upload.body, upload.metadata, actor)
  response.setHeader('Location', `/v1/registry/models/${encodeURIComponent(model)}/versions/${version.version}`)
  sendJson(response, 201, JSON.stringify(version))
}

function queryMetadata(request: IncomingMessage, model: string): UploadMetadata {
  const query = new URL(request.url ?? '/', 'http://localhost').searchParams
  let metadata: Record<string, unknown> = {}
  const text = query.get('metadata')
  if (text !== null) metadata = parseJson(text, 'the "metadata" query parameter')
  const alias = query.get('alias')
  if (alias !== null) metadata = { ...metadata, alias }
  return parseUploadMetadata(metadata, model)
}

async function readMultipartUpload(request: IncomingMessage, boundary: string, model: string): Promise<{ body: AsyncIterable<Buffer>; metadata: UploadMetadata }> {
  const parts = readMultipart(request, boundary)
  let metadata: UploadMetadata = {}
  for (;;) {
    const next = await parts.next()
    if (next.done) throw new InvalidArgumentError('multipart: there is no "file" part with the ONNX model')
    const part = next.value
    if (part.name === 'metadata') metadata = parseUploadMetadata(parseJson((await collect(part, METADATA_LIMIT)).toString('utf8'), 'the "metadata" part'), model)
    else if (part.name === 'file') return { body: fileThenEnd(part.body, parts), metadata }
    else throw new InvalidArgumentError(`multipart: unknown part '${part.name}'; send an optional "metadata" part, then "file"`)
  }
}

/** The file part's bytes, then a check that nothing but the closing boundary follows. */
async function* fileThenEnd(file: AsyncIterable<Buffer>, parts: AsyncGenerator<MultipartPart>): AsyncGenerator<Buffer> {
  yield* file
  const rest = await parts.next()
  if (!rest.done) throw new InvalidArgumentError(`multipart: part '${rest.value.name}' follows "file"; "file" must be the last part`)
}

async function collect(part: MultipartPart, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = []
  let length = 0
  for await (const chunk of part.body) {
    length += chunk.length
    if (length > limit) throw new InvalidArgumentError(`multipart: part '${part.name}' is larger than ${limit} bytes`)
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}

function parseJson(text: string, what: string): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>
  } catch (error) {
    throw new InvalidArgumentError(`${what} is not valid JSON: ${(error as Error).message}`)
  }
}
