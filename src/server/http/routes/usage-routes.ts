/**
 * @module server/http/routes/usage-routes
 * `GET /v1/usage?key=&model=&version=&from=&to=`: usage per API key, model, version and
 * UTC day, with totals, from the UsageMeter (registry counts plus what is not flushed yet).
 * A caller whose principal is not an admin sees its own key's usage unless it names a key
 * (which the guard then authorizes).
 */
import { MaasError } from '../../../core/errors.ts'
import { parseUsageQuery } from '../../../control/usage-meter-query.ts'
import type { UsageMeter } from '../../../control/usage-meter.ts'
import type { UsageRecord } from '../../../registry/usage-store.ts'
import { sendJson } from '../respond.ts'
import type { Route } from '../router.ts'

export function usageRoutes(usage: UsageMeter): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/v1/usage',
      protocol: 'maas',
      handler: async ({ request, response, principal }) => {
        let filter = parseUsageQuery(new URL(request.url ?? '/', 'http://localhost').searchParams)
        if (principal !== undefined && principal.role !== 'admin' && principal.keyId !== 'anonymous') {
          if (filter.keyId !== undefined && filter.keyId !== principal.keyId) throw new MaasError('PERMISSION_DENIED', `key '${principal.name}' (${principal.role}) may read its own usage only`)
          filter = { ...filter, keyId: principal.keyId }
        }
        const records = await usage.usage(filter)
        const totals = { requests: 0, samples: 0, errors: 0, compute_ns: 0 }
        for (const record of records) {
          totals.requests += record.requests
          totals.samples += record.samples
          totals.errors += record.errors
          totals.compute_ns += record.computeNs
        }
        sendJson(response, 200, JSON.stringify({ usage: records.map(usageView), totals: { ...totals, compute_seconds: totals.compute_ns / 1e9 } }))
      },
    },
  ]
}

function usageView(record: UsageRecord): Record<string, unknown> {
  return {
    key_id: record.keyId,
    model: record.model,
    version: record.version,
    day: record.day,
    requests: record.requests,
    samples: record.samples,
    errors: record.errors,
    compute_ns: record.computeNs,
    compute_seconds: record.computeNs / 1e9,
  }
}
