/**
 * @module server/http/routes/tfserving-routes
 * TensorFlow Serving's REST API over the same data plane: model status, metadata, predict
 * (row `instances` and columnar `inputs`), classify and regress, with or without
 * `/versions/{version}` or `/labels/{label}`.
 */
import { ModelNotFoundError } from '../../../core/errors.ts'
import type { DataPlane } from '../../../inference/data-plane.ts'
import type { IndexEntry } from '../../../runtime/model-manager.ts'
import { JSON_MEDIA_TYPES, checkContentType, readBody } from '../read-body.ts'
import { abortOnDisconnect, callerOf, sendJson } from '../respond.ts'
import type { Route, RouteContext, RouteParams } from '../router.ts'
import { decodePredictRequest } from '../tfserving/tfserving-predict-decoder.ts'
import { encodePredictResponse } from '../tfserving/tfserving-predict-encoder.ts'
import { encodeModelMetadata, encodeModelStatus } from '../tfserving/tfserving-status.ts'
import { decodeExamplesRequest, encodeClassifyResponse, encodeRegressResponse, type ExampleMethod } from '../tfserving/tfserving-examples.ts'

const TF_STATE_OF = {
  LOADING: 'LOADING',
  READY: 'AVAILABLE',
  UNLOADING: 'UNLOADING',
  UNAVAILABLE: 'END',
  FAILED: 'END',
} as const

/** TF Serving's `/labels/{label}` addresses the version a label points at: the data plane takes labels as versions. */
function withLabel(params: RouteParams): RouteParams {
  return params.label === undefined ? params : { ...params, version: params.label }
}

export function tfservingRoutes(dataPlane: DataPlane, maxBodyBytes: number): Route[] {
  const status = async ({ response, params: given }: RouteContext) => {
    // A label resolves to its version number (the status lists versions by number).
    const params = given.label === undefined ? given : { model: given.model!, version: dataPlane.modelMetadata(given.model!, given.label).versions[0]! }
    const entries = (await dataPlane.repositoryIndex()).filter(
      (entry): entry is IndexEntry & { version: string } =>
        entry.name === params.model && entry.version !== undefined && (params.version === undefined || entry.version === params.version),
    )
    if (entries.length === 0) throw new ModelNotFoundError(params.model!, params.version)
    const versions = entries.map((entry) => ({
      version: entry.version,
      state: TF_STATE_OF[entry.state],
      ...(entry.state === 'FAILED' ? { errorCode: 'UNKNOWN', errorMessage: entry.reason ?? 'failed to load' } : {}),
    }))
    sendJson(response, 200, JSON.stringify(encodeModelStatus(versions)))
  }
  const metadata = ({ response, params: given }: RouteContext) => {
    const params = withLabel(given)
    const model = dataPlane.modelMetadata(params.model!, params.version)
    const signature = dataPlane.signature(params.model!, params.version)
    sendJson(response, 200, JSON.stringify(encodeModelMetadata(model.name, model.versions[0]!, signature)))
  }
  const predict = async ({ request, response, params: given, admit, principal }: RouteContext) => {
    const params = withLabel(given)
    checkContentType(request, JSON_MEDIA_TYPES)
    const body = await readBody(request, maxBodyBytes)
    const { request: inferRequest, format } = decodePredictRequest(body, dataPlane.signature(params.model!, params.version))
    await admit(inferRequest.inputs[0]?.shape[0] ?? 1)
    const result = await dataPlane.infer(params.model!, params.version, inferRequest, abortOnDisconnect(response), callerOf(principal))
    sendJson(response, 200, encodePredictResponse(result.outputs, format))
  }
  const examples = (method: ExampleMethod) => async ({ request, response, params: given, admit, principal }: RouteContext) => {
    const params = withLabel(given)
    checkContentType(request, JSON_MEDIA_TYPES)
    const body = await readBody(request, maxBodyBytes)
    const inferRequest = decodeExamplesRequest(body, dataPlane.signature(params.model!, params.version), method)
    await admit(inferRequest.inputs[0]?.shape[0] ?? 1)
    const result = await dataPlane.infer(params.model!, params.version, inferRequest, abortOnDisconnect(response), callerOf(principal))
    const output = result.outputs[0]!
    sendJson(response, 200, method === 'classify' ? encodeClassifyResponse(output, result.classLabels) : encodeRegressResponse(output))
  }
  const classify = examples('classify')
  const regress = examples('regress')
  return [
    { method: 'GET', pattern: '/v1/models/{model}', protocol: 'tfserving', handler: status },
    { method: 'GET', pattern: '/v1/models/{model}/versions/{version}', protocol: 'tfserving', handler: status },
    { method: 'GET', pattern: '/v1/models/{model}/metadata', protocol: 'tfserving', handler: metadata },
    { method: 'GET', pattern: '/v1/models/{model}/versions/{version}/metadata', protocol: 'tfserving', handler: metadata },
    { method: 'POST', pattern: '/v1/models/{model}:predict', protocol: 'tfserving', handler: predict },
    { method: 'POST', pattern: '/v1/models/{model}/versions/{version}:predict', protocol: 'tfserving', handler: predict },
    { method: 'GET', pattern: '/v1/models/{model}/labels/{label}', protocol: 'tfserving', handler: status },
    { method: 'GET', pattern: '/v1/models/{model}/labels/{label}/metadata', protocol: 'tfserving', handler: metadata },
    { method: 'POST', pattern: '/v1/models/{model}/labels/{label}:predict', protocol: 'tfserving', handler: predict },
    { method: 'POST', pattern: '/v1/models/{model}:classify', protocol: 'tfserving', handler: classify },
    { method: 'POST', pattern: '/v1/models/{model}/versions/{version}:classify', protocol: 'tfserving', handler: classify },
    { method: 'POST', pattern: '/v1/models/{model}/labels/{label}:classify', protocol: 'tfserving', handler: classify },
    { method: 'POST', pattern: '/v1/models/{model}:regress', protocol: 'tfserving', handler: regress },
    { method: 'POST', pattern: '/v1/models/{model}/versions/{version}:regress', protocol: 'tfserving', handler: regress },
    { method: 'POST', pattern: '/v1/models/{model}/labels/{label}:regress', protocol: 'tfserving', handler: regress },
  ]
}
