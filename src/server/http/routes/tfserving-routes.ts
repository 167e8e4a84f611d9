/**
 * @module server/http/routes/tfserving-routes
 * TensorFlow Serving's REST API over the same data plane: model status, metadata and
 * predict (row `instances` and columnar `inputs`), with or without `/versions/{version}`.
 */
import { ModelNotFoundError } from '../../../core/errors.ts'
import type { DataPlane } from '../../../inference/data-plane.ts'
import type { IndexEntry } from '../../../runtime/model-manager.ts'
import { JSON_MEDIA_TYPES, checkContentType, readBody } from '../read-body.ts'
import { abortOnDisconnect, sendJson } from '../respond.ts'
import type { Route, RouteContext } from '../router.ts'
import { decodePredictRequest } from '../tfserving/tfserving-predict-decoder.ts'
import { encodePredictResponse } from '../tfserving/tfserving-predict-encoder.ts'
import { encodeModelMetadata, encodeModelStatus } from '../tfserving/tfserving-status.ts'

const TF_STATE_OF = {
  LOADING: 'LOADING',
  READY: 'AVAILABLE',
  UNLOADING: 'UNLOADING',
  UNAVAILABLE: 'END',
  FAILED: 'END',
} as const

export function tfservingRoutes(dataPlane: DataPlane, maxBodyBytes: number): Route[] {
  const status = async ({ response, params }: RouteContext) => {
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
  const metadata = ({ response, params }: RouteContext) => {
    const model = dataPlane.modelMetadata(params.model!, params.version)
    const signature = dataPlane.signature(params.model!, params.version)
    sendJson(response, 200, JSON.stringify(encodeModelMetadata(model.name, params.version ?? model.versions[0]!, signature)))
  }
  const predict = async ({ request, response, params }: RouteContext) => {
    checkContentType(request, JSON_MEDIA_TYPES)
    const body = await readBody(request, maxBodyBytes)
    const { request: inferRequest, format } = decodePredictRequest(body, dataPlane.signature(params.model!, params.version))
    const result = await dataPlane.infer(params.model!, params.version, inferRequest, abortOnDisconnect(response))
    sendJson(response, 200, encodePredictResponse(result.outputs, format))
  }
  return [
    { method: 'GET', pattern: '/v1/models/{model}', protocol: 'tfserving', handler: status },
    { method: 'GET', pattern: '/v1/models/{model}/versions/{version}', protocol: 'tfserving', handler: status },
    { method: 'GET', pattern: '/v1/models/{model}/metadata', protocol: 'tfserving', handler: metadata },
    { method: 'GET', pattern: '/v1/models/{model}/versions/{version}/metadata', protocol: 'tfserving', handler: metadata },
    { method: 'POST', pattern: '/v1/models/{model}:predict', protocol: 'tfserving', handler: predict },
    { method: 'POST', pattern: '/v1/models/{model}/versions/{version}:predict', protocol: 'tfserving', handler: predict },
  ]
}
