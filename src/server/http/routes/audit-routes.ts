/**
 * @module server/http/routes/audit-routes
 * `GET /v1/audit?actor=&action=&target=&result=&limit=&before=`: the audit log, newest
 * first, paged by id: `next_before` is the `before` of the next page, null on the last one.
 */
import { InvalidArgumentError } from '../../../core/errors.ts'
import { AUDIT_RESULTS, type AuditEntry, type AuditFilter, type AuditResult, type AuditStore } from '../../../registry/audit-store.ts'
import { sendJson } from '../respond.ts'
import type { Route } from '../router.ts'

const PARAMETERS = ['actor', 'action', 'target', 'result', 'limit', 'before'] as const
const DEFAULT_LIMIT = 100
const MAX_LIMIT = 1000

export function auditRoutes(audit: AuditStore): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/v1/audit',
      protocol: 'maas',
      handler: async ({ request, response }) => {
        const filter = parseAuditQuery(new URL(request.url ?? '/', 'http://localhost').searchParams)
        const entries = await audit.list(filter)
        const last = entries.at(-1)
        const nextBefore = entries.length === filter.limit && last !== undefined ? last.id : null
        sendJson(response, 200, JSON.stringify({ entries: entries.map(auditView), next_before: nextBefore }))
      },
    },
  ]
}

/** The filter for the audit query parameters, with a message naming the one at fault. */
export function parseAuditQuery(query: URLSearchParams): AuditFilter & { readonly limit: number } {
  const values = new Map<string, string>()
  for (const [name, value] of query) {
    if (!(PARAMETERS as readonly string[]).includes(name)) {
      throw new InvalidArgumentError(`audit: unknown query parameter '${name}'; known: ${PARAMETERS.join(', ')}`)
    }
    if (value !== '') values.set(name, value)
  }
  const result = values.get('result')
  if (result !== undefined && !(AUDIT_RESULTS as readonly string[]).includes(result)) {
    throw new InvalidArgumentError(`audit: 'result' must be one of ${AUDIT_RESULTS.join(', ')}, got '${result}'`)
  }
  const limit = integer(values.get('limit'), 'limit', MAX_LIMIT) ?? DEFAULT_LIMIT
  const before = integer(values.get('before'), 'before', Number.MAX_SAFE_INTEGER)
  const text = (name: string) => (values.has(name) ? { [name]: values.get(name) } : {})
  return {
    ...text('actor'), ...text('action'), ...text('target'),
    ...(result !== undefined && { result: result as AuditResult }),
    ...(before !== undefined && { beforeId: before }),
    limit,
  }
}

function integer(value: string | undefined, name: string, max: number): number | undefined {
  if (value === undefined) return undefined
  const number = /^\d{1,16}$/.test(value) ? Number(value) : NaN
  if (!Number.isSafeInteger(number) || number < 1 || number > max) {
    throw new InvalidArgumentError(`audit: '${name}' must be an integer from 1 to ${max}, got '${value}'`)
  }
  return number
}

function auditView(entry: AuditEntry): Record<string, unknown> {
  return {
    id: entry.id,
    at: entry.at.toISOString(),
    actor: entry.actor,
    action: entry.action,
    target: entry.target,
    result: entry.result,
    details: entry.details,
  }
}
