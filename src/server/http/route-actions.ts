/**
 * @module server/http/route-actions
 * The one table that says what each HTTP route does, for the policy: its Action and which
 * path parameter names the model it touches. A route missing from this table is refused
 * (and a test enumerates the server's routes to make sure none is), so a new route cannot
 * be reachable without a guard. Inference routes authorise after decoding, when the number
 * of samples (the quota's unit) is known, and still before any model work.
 */
import type { Action } from '../auth/permissions.ts'

export interface RouteSecurity {
  readonly action: Action
  /** The path parameter holding the model name, if the route is about one model. */
  readonly model?: 'model'
  /** The path parameter holding a job id: the policy sees the job's owner as the resource. */
  readonly job?: 'id'
  /** Listing jobs: non-admin keys are scoped to their own (the handler filters by owner too). */
  readonly ownJobs?: boolean
  /** The handler admits the request itself (after decoding, with the sample count). */
  readonly admitsInHandler?: boolean
  /** Non-admin keys may read their own (usage): the policy sees the caller's key as the resource. */
  readonly ownUsage?: boolean
  /** The server writes the audit entry (services that audit themselves — models, keys — leave this off). */
  readonly audit?: boolean
}

const infer: RouteSecurity = { action: 'model.infer', model: 'model', admitsInHandler: true }
const read: RouteSecurity = { action: 'model.read', model: 'model' }

export const ROUTE_ACTIONS: Readonly<Record<string, RouteSecurity>> = {
  // KServe v2 health and metadata
  'GET /v2/health/live': { action: 'health' },
  'GET /v2/health/ready': { action: 'health' },
  'GET /v2': { action: 'server.metadata' },
  'GET /v2/': { action: 'server.metadata' },
  'GET /v2/models/{model}': read,
  'GET /v2/models/{model}/versions/{version}': read,
  'GET /v2/models/{model}/ready': read,
  'GET /v2/models/{model}/versions/{version}/ready': read,
  'GET /v2/models/{model}/config': read,
  'GET /v2/models/{model}/versions/{version}/config': read,
  'POST /v2/models/{model}/infer': infer,
  'POST /v2/models/{model}/versions/{version}/infer': infer,
  // Triton extensions
  'GET /v2/models/stats': { action: 'statistics.read' },
  'GET /v2/models/{model}/stats': { action: 'statistics.read', model: 'model' },
  'GET /v2/models/{model}/versions/{version}/stats': { action: 'statistics.read', model: 'model' },
  'POST /v2/repository/index': { action: 'repository.index' },
  'POST /v2/repository/models/{model}/load': { action: 'repository.load', model: 'model', audit: true },
  'POST /v2/repository/models/{model}/unload': { action: 'repository.unload', model: 'model', audit: true },
  // TF Serving
  'GET /v1/models/{model}': read,
  'GET /v1/models/{model}/versions/{version}': read,
  'GET /v1/models/{model}/metadata': read,
  'GET /v1/models/{model}/versions/{version}/metadata': read,
  'POST /v1/models/{model}:predict': infer,
  'POST /v1/models/{model}/versions/{version}:predict': infer,
  'GET /v1/models/{model}/labels/{label}': read,
  'GET /v1/models/{model}/labels/{label}/metadata': read,
  'POST /v1/models/{model}/labels/{label}:predict': infer,
  'POST /v1/models/{model}:classify': infer,
  'POST /v1/models/{model}/versions/{version}:classify': infer,
  'POST /v1/models/{model}/labels/{label}:classify': infer,
  'POST /v1/models/{model}:regress': infer,
  'POST /v1/models/{model}/versions/{version}:regress': infer,
  'POST /v1/models/{model}/labels/{label}:regress': infer,
  // Prometheus
  'GET /metrics': { action: 'metrics.read' },
  // Management API (routes/management-routes.ts). Listing names no model: any key may list
  // (filtering the list by visibility is left to the policy's follow-up).
  'GET /v1/openapi.json': { action: 'server.metadata' },
  'GET /v1/registry/models': { action: 'server.metadata' },
  'POST /v1/registry/models': { action: 'model.create' },
  'GET /v1/registry/models/{model}': read,
  'PATCH /v1/registry/models/{model}': { action: 'model.update', model: 'model' },
  'DELETE /v1/registry/models/{model}': { action: 'model.delete', model: 'model' },
  'GET /v1/registry/models/{model}/versions': read,
  'POST /v1/registry/models/{model}/versions': { action: 'version.upload', model: 'model' },
  'GET /v1/registry/models/{model}/versions/{version}': read,
  'PATCH /v1/registry/models/{model}/versions/{version}': { action: 'model.update', model: 'model' },
  'DELETE /v1/registry/models/{model}/versions/{version}': { action: 'model.update', model: 'model' },
  'GET /v1/registry/models/{model}/aliases': read,
  'GET /v1/registry/models/{model}/aliases/{alias}': read,
  'PUT /v1/registry/models/{model}/aliases/{alias}': { action: 'alias.write', model: 'model' },
  'DELETE /v1/registry/models/{model}/aliases/{alias}': { action: 'alias.write', model: 'model' },
  'GET /v1/registry/models/{model}/lineage': read,
  'GET /v1/registry/models/{model}/card': read,
  'PUT /v1/registry/models/{model}/card': { action: 'model.update', model: 'model' },
  // training jobs
  'POST /v1/jobs': { action: 'job.create', audit: true },
  'GET /v1/jobs': { action: 'job.read', ownJobs: true },
  'GET /v1/jobs/{id}': { action: 'job.read', job: 'id' },
  'GET /v1/jobs/{id}/events': { action: 'job.read', job: 'id' },
  'DELETE /v1/jobs/{id}': { action: 'job.cancel', job: 'id', audit: true },
  'POST /v1/jobs/{id}/cancel': { action: 'job.cancel', job: 'id', audit: true },
  // API keys, usage, audit
  'POST /v1/keys': { action: 'keys.manage' },
  'GET /v1/keys': { action: 'keys.manage' },
  'GET /v1/keys/{id}': { action: 'keys.manage' },
  'DELETE /v1/keys/{id}': { action: 'keys.manage' },
  'POST /v1/keys/{id}/rotate': { action: 'keys.manage' },
  'GET /v1/usage': { action: 'usage.read', ownUsage: true },
  'GET /v1/audit': { action: 'audit.read' },
}

export function routeSecurityOf(method: string, pattern: string): RouteSecurity | undefined {
  return ROUTE_ACTIONS[`${method} ${pattern}`]
}
