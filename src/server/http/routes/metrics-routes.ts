/**
 * @module server/http/routes/metrics-routes
 * `GET /metrics` in the Prometheus text format.
 */
import type { Registry } from 'prom-client'
import type { Route } from '../router.ts'

export function metricsRoutes(registry: Registry): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/metrics',
      protocol: 'maas',
      handler: async ({ response }) => {
        const text = await registry.metrics()
        response.writeHead(200, { 'Content-Type': registry.contentType, 'Content-Length': Buffer.byteLength(text) })
        response.end(text)
      },
    },
  ]
}
