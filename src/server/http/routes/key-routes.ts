/**
 * @module server/http/routes/key-routes
 * The API key management API: `POST /v1/keys` (201, the plaintext key in this response
 * only), `GET /v1/keys`, `GET /v1/keys/{id}`, `DELETE /v1/keys/{id}` (revoke) and
 * `POST /v1/keys/{id}/rotate`. Translation only: KeyService does the work and the audit;
 * no response ever carries a hash. The caller's principal, when the guard has set one on
 * the context, is the audit actor.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { InvalidArgumentError } from '../../../core/errors.ts'
import { parseNewKeyBody, parseRotateBody } from '../../../control/key-service-input.ts'
import type { KeyInfo, KeyService } from '../../../control/key-service.ts'
import type { UsageMeter } from '../../../control/usage-meter.ts'
import type { AuditStore } from '../../../registry/audit-store.ts'
import { JSON_MEDIA_TYPES, checkContentType, parseJsonObject, readBody } from '../read-body.ts'
import { sendJson } from '../respond.ts'
import type { Route, RouteContext } from '../router.ts'
import { auditRoutes } from './audit-routes.ts'
import { usageRoutes } from './usage-routes.ts'

/** What the key, usage and audit routes work with. */
export interface AccessServices {
  readonly keys: KeyService
  readonly usage: UsageMeter
  readonly audit: AuditStore
}

/** Management bodies are small; a larger one is a mistake. */
const BODY_LIMIT = 64 * 1024
const LIST_PARAMETERS = ['include_revoked'] as const

/** `/v1/keys…`, `/v1/usage` and `/v1/audit`. */
export function accessRoutes(services: AccessServices): Route[] {
  return [...keyRoutes(services.keys), ...usageRoutes(services.usage), ...auditRoutes(services.audit)]
}

export function keyRoutes(keys: KeyService, now: () => number = Date.now): Route[] {
  return [
    {
      method: 'POST',
      pattern: '/v1/keys',
      protocol: 'maas',
      handler: async (context) => {
        const request = parseNewKeyBody(await readJsonBody(context.request, 'create key'), now())
        const created = await keys.create(request, actorOf(context))
        sendSecret(context.response, 201, { ...keyView(created.record), key: created.key })
      },
    },
    {
      method: 'GET',
      pattern: '/v1/keys',
      protocol: 'maas',
      handler: async ({ request, response }) => {
        const query = new URL(request.url ?? '/', 'http://localhost').searchParams
        for (const name of query.keys()) {
          if (!(LIST_PARAMETERS as readonly string[]).includes(name)) {
            throw new InvalidArgumentError(`list keys: unknown query parameter '${name}'; known: ${LIST_PARAMETERS.join(', ')}`)
          }
        }
        const includeRevoked = flag(query.get('include_revoked'), 'include_revoked')
        sendJson(response, 200, JSON.stringify({ keys: (await keys.list({ includeRevoked })).map(keyView) }))
      },
    },
    {
      method: 'GET',
      pattern: '/v1/keys/{id}',
      protocol: 'maas',
      handler: async ({ response, params }) => sendJson(response, 200, JSON.stringify(keyView(await keys.get(params.id!)))),
    },
    {
      method: 'DELETE',
      pattern: '/v1/keys/{id}',
      protocol: 'maas',
      handler: async (context) => sendJson(context.response, 200, JSON.stringify(keyView(await keys.revoke(context.params.id!, actorOf(context))))),
    },
    {
      method: 'POST',
      pattern: '/v1/keys/{id}/rotate',
      protocol: 'maas',
      handler: async (context) => {
        const request = parseRotateBody(await readJsonBody(context.request, 'rotate key'))
        const rotated = await keys.rotate(context.params.id!, request, actorOf(context))
        sendSecret(context.response, 201, { ...keyView(rotated.record), key: rotated.key, previous: keyView(rotated.previous) })
      },
    },
  ]
}

/** A key as the API shows it: never the hash. */
export function keyView(key: KeyInfo): Record<string, unknown> {
  return {
    id: key.id,
    prefix: key.prefix,
    name: key.name,
    role: key.role,
    models: key.allowedModels,
    scopes: key.scopes,
    status: key.status,
    created_at: key.createdAt.toISOString(),
    expires_at: key.expiresAt?.toISOString() ?? null,
    revoked_at: key.revokedAt?.toISOString() ?? null,
    rotated_from: key.rotatedFrom,
  }
}

/** Who the audit log names: the principal's key name once the guard sets one, else 'anonymous'. */
export function actorOf(context: RouteContext): string {
  return context.principal?.name ?? 'anonymous'
}

async function readJsonBody(request: IncomingMessage, what: string): Promise<Record<string, unknown>> {
  checkContentType(request, JSON_MEDIA_TYPES)
  return parseJsonObject(await readBody(request, BODY_LIMIT), what)
}

function flag(value: string | null, name: string): boolean {
  if (value === null || value === '' || value === 'false' || value === '0') return false
  if (value === 'true' || value === '1') return true
  throw new InvalidArgumentError(`list keys: '${name}' must be true or false, got '${value}'`)
}

/** A response holding a plaintext key: no cache may keep it. */
function sendSecret(response: ServerResponse, status: number, body: unknown): void {
  response.setHeader('Cache-Control', 'no-store')
  sendJson(response, status, JSON.stringify(body))
}
