/**
 * @module server/http/cors-policy
 * CORS for the web console and other browser clients: configured origins (or `*`) get the
 * Access-Control headers, preflight OPTIONS requests are answered here. No origins: no headers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'

const ALLOWED_HEADERS = 'Authorization, Content-Type, Inference-Header-Content-Length, X-Request-Id'
const EXPOSED_HEADERS = 'Inference-Header-Content-Length, X-Request-Id, Retry-After'

export class CorsPolicy {
  readonly #origins: ReadonlySet<string>

  constructor(origins: readonly string[]) {
    this.#origins = new Set(origins)
  }

  /** Sets CORS headers for an allowed origin; true when the request was a preflight, now answered. */
  handle(request: IncomingMessage, response: ServerResponse): boolean {
    const origin = request.headers.origin
    if (this.#origins.size === 0 || origin === undefined) return false
    const allowed = this.#origins.has('*') ? '*' : this.#origins.has(origin) ? origin : undefined
    if (allowed === undefined) return false
    response.setHeader('Access-Control-Allow-Origin', allowed)
    if (allowed !== '*') response.setHeader('Vary', 'Origin')
    response.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS)
    if (request.method !== 'OPTIONS' || request.headers['access-control-request-method'] === undefined) return false
    response.writeHead(204, {
      'Access-Control-Allow-Methods': 'GET, POST, PUT, PATCH, DELETE, OPTIONS',
      'Access-Control-Allow-Headers': ALLOWED_HEADERS,
      'Access-Control-Max-Age': '600',
      'Content-Length': 0,
    })
    response.end()
    return true
  }
}
