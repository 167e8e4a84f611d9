/**
 * @module server/http/routes/model-routes
 * KServe v2 model metadata and model readiness, with and without `/versions/{version}`.
 */
import type { DataPlane } from '../../../inference/data-plane.ts'
import { sendJson } from '../respond.ts'
import type { Route, RouteContext } from '../router.ts'

export function modelRoutes(dataPlane: DataPlane): Route[] {
  const metadata = ({ response, params }: RouteContext) =>
    sendJson(response, 200, JSON.stringify(dataPlane.modelMetadata(params.model!, params.version)))
  const ready = ({ response, params }: RouteContext) => {
    dataPlane.isModelReady(params.model!, params.version)
    sendJson(response, 200, JSON.stringify({ name: params.model, ...(params.version ? { version: params.version } : {}), ready: true }))
  }
  return [
    { method: 'GET', pattern: '/v2/models/{model}', protocol: 'kserve', handler: metadata },
    { method: 'GET', pattern: '/v2/models/{model}/versions/{version}', protocol: 'kserve', handler: metadata },
    { method: 'GET', pattern: '/v2/models/{model}/ready', protocol: 'kserve', handler: ready },
    { method: 'GET', pattern: '/v2/models/{model}/versions/{version}/ready', protocol: 'kserve', handler: ready },
  ]
}
