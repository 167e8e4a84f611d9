/**
 * @module server/http/openapi/openapi-routes
 * `GET /v1/openapi.json`: the management API's OpenAPI document, serialised once.
 */
import { sendBody } from '../respond.ts'
import type { Route } from '../router.ts'
import { OPENAPI_DOCUMENT } from './openapi-document.ts'

export function openApiRoutes(): Route[] {
  const text = JSON.stringify(OPENAPI_DOCUMENT)
  return [
    {
      method: 'GET',
      pattern: '/v1/openapi.json',
      protocol: 'maas',
      handler: ({ response }) => sendBody(response, 200, text, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache' }),
    },
  ]
}
