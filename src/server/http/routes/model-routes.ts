/**
 * @module server/http/routes/model-routes
 * KServe v2 model metadata and model readiness, and Triton's model configuration extension,
 * with and without `/versions/{version}`.
 */
import type { DataPlane } from '../../../inference/data-plane.ts'
import { notReadyBody } from '../http-errors.ts'
import { sendJson } from '../respond.ts'
import type { Route, RouteContext } from '../router.ts'

export function modelRoutes(dataPlane: DataPlane): Route[] {
  const metadata = ({ response, params }: RouteContext) =>
    sendJson(response, 200, JSON.stringify(dataPlane.modelMetadata(params.model!, params.version)))
  const ready = ({ response, params }: RouteContext) => {
    const named = { name: params.model, ...(params.version ? { version: params.version } : {}) }
    // Known but not ready (loading, unloaded, failed): false, as a 4xx; unknown stays 404.
    const readiness = dataPlane.modelReadiness(params.model!, params.version)
    if (!readiness.ready) return sendJson(response, 400, notReadyBody(readiness.reason, named))
    sendJson(response, 200, JSON.stringify({ ...named, ready: true }))
  }
  const config = ({ response, params }: RouteContext) => sendJson(response, 200, JSON.stringify(dataPlane.modelConfig(params.model!, params.version)))
  return [
    { method: 'GET', pattern: '/v2/models/{model}', protocol: 'kserve', handler: metadata },
    { method: 'GET', pattern: '/v2/models/{model}/versions/{version}', protocol: 'kserve', handler: metadata },
    { method: 'GET', pattern: '/v2/models/{model}/ready', protocol: 'kserve', handler: ready },
    { method: 'GET', pattern: '/v2/models/{model}/versions/{version}/ready', protocol: 'kserve', handler: ready },
    { method: 'GET', pattern: '/v2/models/{model}/config', protocol: 'kserve', handler: config },
    { method: 'GET', pattern: '/v2/models/{model}/versions/{version}/config', protocol: 'kserve', handler: config },
  ]
}
