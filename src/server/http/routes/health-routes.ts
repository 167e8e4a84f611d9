/**
 * @module server/http/routes/health-routes
 * KServe v2 health and server metadata: live, ready, `GET /v2` (and `/v2/`, the path in the
 * OpenAPI files). Health answers 200 with a small JSON body when healthy (Open Inference
 * Protocol) and, when not, 400 — required_api.md: "a 4xx status code indicates false", as
 * Triton answers — with `{"ready": false, "error"}`.
 */
import type { DataPlane } from '../../../inference/data-plane.ts'
import { notReadyBody } from '../http-errors.ts'
import { sendJson } from '../respond.ts'
import type { Route } from '../router.ts'

export function healthRoutes(dataPlane: DataPlane): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/v2/health/live',
      protocol: 'kserve',
      handler: ({ response }) =>
        dataPlane.isLive() ? sendJson(response, 200, '{"live":true}') : sendJson(response, 400, JSON.stringify({ live: false, error: 'server is not live' })),
    },
    {
      method: 'GET',
      pattern: '/v2/health/ready',
      protocol: 'kserve',
      handler: ({ response }) =>
        dataPlane.isReady()
          ? sendJson(response, 200, '{"ready":true}')
          : sendJson(response, 400, notReadyBody('server is not ready: a model is loading or failed to load, or the server is shutting down')),
    },
    ...['/v2', '/v2/'].map((pattern): Route => ({
      method: 'GET',
      pattern,
      protocol: 'kserve',
      handler: ({ response }) => sendJson(response, 200, JSON.stringify(dataPlane.serverMetadata())),
    })),
  ]
}

