/**
 * @module server/auth/principal
 * Who is calling: the identity an authenticated API key stands for, as the policy
 * (permissions.ts) and the request guard see it. Transport-neutral and storage-neutral.
 */

/** The three roles, least to most privileged. */
export type Role = 'consumer' | 'publisher' | 'admin'

export const ROLES: readonly Role[] = Object.freeze(['consumer', 'publisher', 'admin'])

/** Extra rights a key may hold beyond its role. */
export type Scope = 'metrics'

export const SCOPES: readonly Scope[] = Object.freeze(['metrics'])

/** Limits that override the server's defaults for one key (from the key's record). */
export interface KeyLimits {
  /** Requests per second (sustained) and burst for this key. */
  readonly rate?: { readonly capacity: number; readonly refillPerSecond: number }
  readonly dailyRequests?: number
  readonly dailySamples?: number
  readonly maxConcurrent?: number
}

/** An authenticated caller. */
export interface Principal {
  /** The key's id in the registry; rate limits, quotas and concurrency count per key id. */
  readonly keyId: string
  /**
   * The key's name, e.g. 'ci-bot'. It is also the owner recorded on models a publisher
   * creates, so ownership survives key rotation (the new key keeps the name).
   */
  readonly name: string
  readonly role: Role
  /** Private models granted to this key. Public models need no grant. */
  readonly models?: readonly string[]
  readonly scopes: ReadonlySet<Scope>
  readonly limits?: KeyLimits
}

/** A frozen Principal; `scopes` may be given as a list. */
export function createPrincipal(
  fields: Omit<Principal, 'scopes'> & { readonly scopes?: Iterable<Scope> },
): Principal {
  return Object.freeze({
    ...fields,
    ...(fields.models !== undefined && { models: Object.freeze([...fields.models]) }),
    scopes: new Set(fields.scopes ?? []),
  })
}

/** `key 'ci-bot' (consumer)`, the way every permission message names the caller. */
export function describePrincipal(principal: Principal): string {
  return `key '${principal.name}' (${principal.role})`
}
