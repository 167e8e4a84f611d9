/**
 * @module server/auth/permissions
 * The authorization policy, as one pure function over (principal, action, resource) and one
 * table that gives every Action its rule. Adapters look up what a request touches (the
 * model's owner and visibility) and call authorize() before doing anything else.
 *
 *   consumer   reads and infers with public models and private models granted to it
 *   publisher  also creates models and uploads, trains, optimizes and administers its own
 *   admin      everything: repository control, keys, usage and audit of all keys, metrics
 */
import { PermissionDeniedError, UnauthenticatedError } from './auth-errors.ts'
import { describePrincipal, type Principal } from './principal.ts'

/** Everything the server does that a policy decides on. */
export const ACTIONS = Object.freeze([
  'health', 'server.metadata',
  'model.read', 'model.infer', 'model.create', 'model.update', 'model.delete',
  'version.upload', 'alias.write',
  'job.create', 'job.read', 'job.cancel',
  'repository.load', 'repository.unload', 'repository.index',
  'statistics.read', 'metrics.read',
  'keys.manage', 'usage.read', 'audit.read', 'optimize.run',
] as const)

export type Action = (typeof ACTIONS)[number]

/** Who may see a model: its owner and grantees, every key, or anyone. 'internal' = 'public' for keys. */
export type Visibility = 'private' | 'internal' | 'public'

/** What an action touches, as far as the policy needs to know. */
export interface Resource {
  readonly model?: string
  /** Owner of the model or job (a key name); null or absent: no publisher owns it. */
  readonly owner?: string | null
  /** Absent counts as private: the policy fails closed. */
  readonly visibility?: Visibility
  /** For usage.read: whose usage; absent means every key's. */
  readonly keyId?: string
}

/** Who may read /metrics: anyone (e.g. a scraper on a private network), admin or 'metrics' scope, admin only. */
export type MetricsAccess = 'open' | 'scope' | 'admin'

/** The configurable parts of the policy. */
export interface AuthorizationPolicy {
  readonly metricsAccess: MetricsAccess
}

export const DEFAULT_POLICY: AuthorizationPolicy = Object.freeze({ metricsAccess: 'scope' })

/**
 * How an action is decided:
 * - open: no key needed; authenticated: any valid key
 * - model-access: admin, or the model is public/internal, granted to the key, or owned by it
 * - publisher: admin or publisher; owner: admin, or a publisher owning the resource
 * - owner-or-new: like publisher with no model named (a new one), like owner otherwise
 * - self-or-admin: admin, or any key about itself (resource.keyId); admin: admin only
 * - metrics: by AuthorizationPolicy.metricsAccess
 */
export type RuleKind =
  | 'open' | 'authenticated' | 'model-access' | 'publisher' | 'owner' | 'owner-or-new'
  | 'self-or-admin' | 'admin' | 'metrics'

/** One row of the policy table: the rule, and the words messages use ("may not <doing>"). */
export interface ActionRule {
  readonly rule: RuleKind
  readonly doing: string
}

/** The policy, one row per Action; an Action without a row fails to compile. */
export const ACTION_RULES: Readonly<Record<Action, ActionRule>> = Object.freeze({
  'health': { rule: 'open', doing: 'check health' },
  'server.metadata': { rule: 'authenticated', doing: 'read server metadata' },
  'model.read': { rule: 'model-access', doing: 'read model metadata' },
  'model.infer': { rule: 'model-access', doing: 'run inference' },
  'model.create': { rule: 'publisher', doing: 'create models' },
  'model.update': { rule: 'owner', doing: 'update models' },
  'model.delete': { rule: 'owner', doing: 'delete models' },
  'version.upload': { rule: 'owner', doing: 'upload model versions' },
  'alias.write': { rule: 'owner', doing: 'set model aliases' },
  'job.create': { rule: 'owner-or-new', doing: 'start training jobs' },
  'job.read': { rule: 'owner', doing: 'read jobs' },
  'job.cancel': { rule: 'owner', doing: 'cancel jobs' },
  'repository.load': { rule: 'admin', doing: 'load models' },
  'repository.unload': { rule: 'admin', doing: 'unload models' },
  'repository.index': { rule: 'admin', doing: 'list the model repository' },
  'statistics.read': { rule: 'owner', doing: 'read model statistics' },
  'metrics.read': { rule: 'metrics', doing: 'read metrics' },
  'keys.manage': { rule: 'admin', doing: 'manage API keys' },
  'usage.read': { rule: 'self-or-admin', doing: "read other keys' usage" },
  'audit.read': { rule: 'admin', doing: 'read the audit log' },
  'optimize.run': { rule: 'owner', doing: 'optimize models' },
})

/**
 * Returns when `principal` may do `action` on `resource`; otherwise throws
 * UnauthenticatedError (no key where one is needed) or PermissionDeniedError, with a
 * message that names the key, its role and what it may not do.
 */
export function authorize(
  principal: Principal | undefined,
  action: Action,
  resource: Resource = {},
  policy: AuthorizationPolicy = DEFAULT_POLICY,
): void {
  const { rule, doing } = ACTION_RULES[action]
  if (rule === 'open' || (rule === 'metrics' && policy.metricsAccess === 'open')) return
  if (principal === undefined) {
    throw new UnauthenticatedError(`an API key is required to ${doing}; send 'Authorization: Bearer <API key>'`)
  }
  if (principal.role === 'admin') return
  // The common grants return before the refusal messages and their closures are built: this
  // runs for every inference request.
  if (rule === 'authenticated') return
  if (rule === 'model-access' && resource.model !== undefined && canSeeModel(principal, resource)) return
  const who = describePrincipal(principal)
  const denied = (why = `${who} may not ${doing}`) => new PermissionDeniedError(why)
  const ownOnly = () => {
    if (principal.role !== 'publisher') throw denied()
    if (!owns(principal, resource)) {
      const what = resource.model === undefined ? '' : ` (model '${resource.model}')`
      throw denied(`${who} may not ${doing} it does not own${what}`)
    }
  }

  switch (rule) {
    case 'model-access':
      if (resource.model === undefined) throw denied(`${who} may not ${doing} without naming a model`)
      if (!canSeeModel(principal, resource)) {
        throw denied(`model '${resource.model}' is private and not granted to key '${principal.name}'`)
      }
      return
    case 'publisher':
      if (principal.role !== 'publisher') throw denied()
      return
    case 'owner':
      return ownOnly()
    case 'owner-or-new':
      if (resource.model === undefined && principal.role === 'publisher') return
      return ownOnly()
    case 'self-or-admin':
      if (resource.keyId === undefined || resource.keyId !== principal.keyId) throw denied()
      return
    case 'admin':
      throw denied()
    case 'metrics':
      if (policy.metricsAccess === 'scope' && principal.scopes.has('metrics')) return
      throw denied(
        `${who} may not ${doing}; it needs the admin role${policy.metricsAccess === 'scope' ? " or the 'metrics' scope" : ''}`,
      )
  }
}

/** authorize() as a predicate, e.g. to filter a model list down to what a key may see. */
export function isAuthorized(
  principal: Principal | undefined,
  action: Action,
  resource?: Resource,
  policy?: AuthorizationPolicy,
): boolean {
  try {
    authorize(principal, action, resource, policy)
    return true
  } catch (error) {
    if (error instanceof PermissionDeniedError || error instanceof UnauthenticatedError) return false
    throw error
  }
}

function owns(principal: Principal, resource: Resource): boolean {
  return typeof resource.owner === 'string' && resource.owner === principal.name
}

function canSeeModel(principal: Principal, resource: Resource): boolean {
  if (resource.visibility === 'public' || resource.visibility === 'internal') return true
  if (owns(principal, resource)) return true
  return resource.model !== undefined && (principal.models?.includes(resource.model) ?? false)
}
