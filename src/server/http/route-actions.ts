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
  /** The handler admits the request itself (after decoding, with the sample count). */
  readonly admitsInHandler?: boolean
}

const infer: RouteSecurity = { action: 'model.infer', model: 'model', admitsInHandler: true }
const read: RouteSecurity = { action: 'model.read', model: 'model' }

export const ROUTE_ACTIONS: Readonly<Record<string, RouteSecurity>> = {
  // KServe v2 health and metadata
  'GET /v2/health/live': { action: 'health' },
  'GET /v2/health/ready': { action: 'health' },
  'GET /v2': { action: 'server.metadata' },
  'GET /v2/models/{model}': read,
  'GET /v2/models/{model}/versions/{version}': read,
  'GET /v2/models/{model}/ready': read,
  'GET /v2/models/{model}/versions/{version}/ready': read,
  'POST /v2/models/{model}/infer': infer,
  'POST /v2/models/{model}/versions/{version}/infer': infer,
  // Triton extensions
  'GET /v2/models/stats': { action: 'statistics.read' },
  'GET /v2/models/{model}/stats': { action: 'statistics.read', model: 'model' },
  'GET /v2/models/{model}/versions/{version}/stats': { action: 'statistics.read', model: 'model' },
  'POST /v2/repository/index': { action: 'repository.index' },
  'POST /v2/repository/models/{model}/load': { action: 'repository.load', model: 'model' },
  'POST /v2/repository/models/{model}/unload': { action: 'repository.unload', model: 'model' },
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
  // Prometheus
  'GET /metrics': { action: 'metrics.read' },
}

export function routeSecurityOf(method: string, pattern: string): RouteSecurity | undefined {
  return ROUTE_ACTIONS[`${method} ${pattern}`]
}
