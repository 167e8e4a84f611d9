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

  /** Who is calling; UNAUTHENTICATED for a missing or bad key. Open actions need no key. */
  async identify(authorization: string | readonly string[] | undefined, action: Action): Promise<Principal | undefined> {
    if (!this.#options.enabled) return ANONYMOUS_ADMIN
    if (action === 'health') return undefined
    if (action === 'metrics.read' && authorization === undefined) return undefined
    return this.#options.authenticator.authenticate(authorization)
  }

  /** Authorises only (no limits counted): for routes that meter later, once they know their sample count. */
  async authorize(principal: Principal | undefined, action: Action, model?: string): Promise<void> {
    authorize(principal, action, model === undefined ? {} : await this.#options.models.of(model), this.#options.policy)
  }

  /** Authorises and applies the limits; call the returned release when the request is done. */
  async admit(principal: Principal | undefined, action: Action, options: { model?: string; samples?: number; resource?: Resource } = {}): Promise<Release> {
    const resource = options.resource ?? (options.model === undefined ? {} : await this.#options.models.of(options.model))
    return this.#options.guard({ principal, action, resource, ...(options.samples !== undefined ? { samples: options.samples } : {}) })
  }
}
