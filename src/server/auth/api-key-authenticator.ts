/**
 * @module server/auth/api-key-authenticator
 * Turns a presented API key into a Principal: parse, find the stored key by its public
 * prefix, verify the hash in constant time, then refuse revoked or expired keys. Key
 * rotation needs nothing special here: the old key stays valid until its expiresAt (the
 * grace period), the new one from its creation.
 *
 * The store is reached through KeyLookup, which the registry's API key store satisfies.
 */
import { UnauthenticatedError } from './auth-errors.ts'
import { describeApiKey, parseApiKey, parseAuthorizationHeader, verifyApiKey } from './api-key.ts'
import { createPrincipal, SCOPES, type KeyLimits, type Principal, type Role, type Scope } from './principal.ts'

/** What authentication needs of a stored key. */
export interface StoredKey {
  readonly id: string
  readonly prefix: string
  readonly hash: string
  readonly name: string
  readonly role: Role
  /** Private models granted to the key; null or absent: none. */
  readonly allowedModels?: readonly string[] | null
  readonly scopes?: readonly string[] | null
  readonly revokedAt?: Date | null
  /** Set on the old key of a rotation to end its grace period, or for keys that expire. */
  readonly expiresAt?: Date | null
  readonly limits?: KeyLimits | null
}

/** Finds a stored key by its public prefix; revoked and expired ones too. */
export interface KeyLookup {
  findByPrefix(prefix: string): Promise<StoredKey | null | undefined>
}

/** Options of ApiKeyAuthenticator. */
export interface ApiKeyAuthenticatorOptions {
  readonly keys: KeyLookup
  /** The server-side pepper the keys were hashed with, if any. */
  readonly pepper?: string | Buffer
  /** Epoch milliseconds; default Date.now. */
  readonly now?: () => number
}

/** Authenticates `Authorization: Bearer <key>` values against a key store. */
export class ApiKeyAuthenticator {
  readonly #keys: KeyLookup
  readonly #pepper: string | Buffer | undefined
  readonly #now: () => number

  constructor(options: ApiKeyAuthenticatorOptions) {
    this.#keys = options.keys
    this.#pepper = options.pepper
    this.#now = options.now ?? Date.now
  }

  /** The Principal for an Authorization header / metadata value; UNAUTHENTICATED otherwise. */
  async authenticate(authorization: string | readonly string[] | undefined): Promise<Principal> {
    return this.authenticateKey(parseAuthorizationHeader(authorization))
  }

  /** The Principal for a bare key. */
  async authenticateKey(key: string): Promise<Principal> {
    const { prefix } = parseApiKey(key)
    const shown = describeApiKey(prefix)
    const stored = await this.#keys.findByPrefix(prefix)
    // Unknown prefix and wrong secret answer alike; revocation and expiry are told only to
    // whoever holds the whole key.
    if (stored == null || !verifyApiKey(key, stored.hash, { pepper: this.#pepper })) {
      throw new UnauthenticatedError(`API key ${shown} is not valid`)
    }
    if (stored.revokedAt != null) throw new UnauthenticatedError(`API key ${shown} has been revoked`)
    if (stored.expiresAt != null && stored.expiresAt.getTime() <= this.#now()) {
      throw new UnauthenticatedError(`API key ${shown} expired at ${stored.expiresAt.toISOString()}`)
    }
    return principalOf(stored)
  }
}

/** The Principal a stored key stands for; unknown scopes are ignored. */
export function principalOf(stored: StoredKey): Principal {
  const scopes = (stored.scopes ?? []).filter((scope): scope is Scope => (SCOPES as readonly string[]).includes(scope))
  return createPrincipal({
    keyId: stored.id,
    name: stored.name,
    role: stored.role,
    scopes,
    ...(stored.allowedModels != null && { models: stored.allowedModels }),
    ...(stored.limits != null && { limits: stored.limits }),
  })
}
