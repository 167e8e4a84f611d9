/**
 * @module server/http/routes/infer-routes
 * `POST /v2/models/{model}[/versions/{version}]/infer`: JSON or the binary tensor data
 * extension (Inference-Header-Content-Length), decoded, run by the data plane, encoded.
 */
import { InvalidArgumentError } from '../../../core/errors.ts'
import type { DataPlane } from '../../../inference/data-plane.ts'
import { decodeInferRequest } from '../codecs/kserve-request-decoder.ts'
import { encodeInferResponse } from '../codecs/kserve-response-encoder.ts'
import { JSON_MEDIA_TYPES, checkContentType, readBody } from '../read-body.ts'
import { abortOnDisconnect, callerOf, sendBody } from '../respond.ts'
import type { Route, RouteContext } from '../router.ts'

const INFER_CONTENT_TYPES = [...JSON_MEDIA_TYPES, 'application/octet-stream']

export function inferRoutes(dataPlane: DataPlane, maxBodyBytes: number): Route[] {
  const infer = async ({ request, response, params, admit, principal }: RouteContext) => {
    checkContentType(request, INFER_CONTENT_TYPES)
    const headerLength = parseHeaderLength(request.headers['inference-header-content-length'])
    const body = await readBody(request, maxBodyBytes)
    const rawInput = headerLength === 0 ? singleInputOf(dataPlane, params.model!, params.version) : undefined
    const inferRequest = decodeInferRequest(body, headerLength, rawInput)
    await admit(inferRequest.inputs[0]?.shape[0] ?? 1)
    const inferResponse = await dataPlane.infer(params.model!, params.version, inferRequest, abortOnDisconnect(response), callerOf(principal))
    const encoded = encodeInferResponse(inferResponse, inferRequest)
    sendBody(response, 200, encoded.body, encoded.headers)
  }
  return [
    { method: 'POST', pattern: '/v2/models/{model}/infer', protocol: 'kserve', handler: infer },
    { method: 'POST', pattern: '/v2/models/{model}/versions/{version}/infer', protocol: 'kserve', handler: infer },
  ]
}

function parseHeaderLength(header: string | string[] | undefined): number | undefined {
  if (header === undefined) return undefined
  const value = Array.isArray(header) ? header[0]! : header
  if (!/^\d+$/.test(value.trim())) {
    throw new InvalidArgumentError(`Inference-Header-Content-Length must be a non-negative integer, got '${value}'`)
  }
  return Number(value)
}

/** A raw binary request (header length 0) is only defined for single-input models. */
function singleInputOf(dataPlane: DataPlane, model: string, version: string | undefined) {
  const inputs = dataPlane.signature(model, version).inputs
  if (inputs.length !== 1) {
    throw new InvalidArgumentError(
      `a raw binary request (Inference-Header-Content-Length: 0) needs a model with exactly one input; model '${model}' has ${inputs.length}`,
    )
  }
  return inputs[0]!
}
