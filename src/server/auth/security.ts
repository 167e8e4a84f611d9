/**
 * @module server/auth/security
 * The one object both transports consult before doing anything for a request: who is
 * calling (API key → Principal), may they (policy), and within their limits (rates, quotas,
 * concurrency). With authentication off (`--no-auth`) every caller is an anonymous admin and
 * only the limits that do not need a key apply.
 */
import type { Principal } from './principal.ts'
import { authorize, type Action, type AuthorizationPolicy, type Resource } from './permissions.ts'
import type { Release } from './concurrency-limiter.ts'
import type { RequestGuard } from './request-guard.ts'
import type { ModelResources } from './model-resources.ts'

export interface Authenticator {
  authenticate(authorization: string | readonly string[] | undefined): Promise<Principal>
}

/** The principal of every request when authentication is off. */
export const ANONYMOUS_ADMIN: Principal = Object.freeze({ keyId: 'anonymous', name: 'anonymous', role: 'admin', scopes: new Set<'metrics'>(['metrics']) })

export interface SecurityOptions {
  readonly enabled: boolean
  readonly authenticator: Authenticator
  readonly guard: RequestGuard
  readonly models: ModelResources
  readonly policy?: AuthorizationPolicy
}

export interface Admission {
  readonly principal: Principal
  readonly release: Release
}

export class Security {
  readonly #options: SecurityOptions

  constructor(options: SecurityOptions) {
    this.#options = options
  }

  get enabled(): boolean {
    return this.#options.enabled
  }

  // These run for every request: they return settled promises where nothing needs waiting for
  // (no key to look up, a cached model), rather than stacking async functions that each cost
  // a promise and a microtask.

  /** Who is calling; UNAUTHENTICATED for a missing or bad key. Open actions need no key. */
  identify(authorization: string | readonly string[] | undefined, action: Action): Promise<Principal | undefined> {
    if (!this.#options.enabled) return ANONYMOUS_ADMIN_IDENTIFIED
    if (action === 'health') return NOBODY_IDENTIFIED
    if (action === 'metrics.read' && authorization === undefined) return NOBODY_IDENTIFIED
    return this.#options.authenticator.authenticate(authorization)
  }

  /** Authorises only (no limits counted): for routes that meter later, once they know their sample count. */
  authorize(principal: Principal | undefined, action: Action, model?: string): Promise<void> {
    const resource = model === undefined ? NO_RESOURCE : this.#options.models.of(model)
    if (resource instanceof Promise) return resource.then((found) => authorize(principal, action, found, this.#options.policy))
    try {
      authorize(principal, action, resource, this.#options.policy)
    } catch (error) {
      return Promise.reject(error)
    }
    return AUTHORIZED
  }

  /** Authorises and applies the limits; call the returned release when the request is done. */
  admit(principal: Principal | undefined, action: Action, options: { model?: string; samples?: number; resource?: Resource } = {}): Promise<Release> {
    const resource = options.resource ?? (options.model === undefined ? NO_RESOURCE : this.#options.models.of(options.model))
    const samples = options.samples
    if (resource instanceof Promise) return resource.then((found) => this.#guard(principal, action, found, samples))
    return this.#guard(principal, action, resource, samples)
  }

  #guard(principal: Principal | undefined, action: Action, resource: Resource, samples: number | undefined): Promise<Release> {
    return this.#options.guard(samples === undefined ? { principal, action, resource } : { principal, action, resource, samples })
  }
}

const ANONYMOUS_ADMIN_IDENTIFIED: Promise<Principal | undefined> = Promise.resolve(ANONYMOUS_ADMIN)
const NOBODY_IDENTIFIED: Promise<Principal | undefined> = Promise.resolve(undefined)
const AUTHORIZED: Promise<void> = Promise.resolve()
const NO_RESOURCE: Resource = Object.freeze({})
