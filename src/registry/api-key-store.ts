/**
 * @module registry/api-key-store
 * The API keys seam. The store keeps a public prefix (to find the key) and a hash (to check
 * it); the secret itself is never stored. Hashing and comparing are the caller's.
 */

export type ApiKeyRole = 'admin' | 'publisher' | 'consumer'

export const API_KEY_ROLES: readonly ApiKeyRole[] = Object.freeze(['admin', 'publisher', 'consumer'])

export interface ApiKeyRecord {
  readonly id: string
  /** Public, unique, shown in lists and logs. */
  readonly prefix: string
  readonly hash: string
  readonly name: string
  readonly role: ApiKeyRole
  /** Model names the key may use; null for every model. */
  readonly allowedModels: readonly string[] | null
  /** Scopes beyond the role, e.g. ['metrics']. */
  readonly scopes: readonly string[]
  readonly createdAt: Date
  readonly revokedAt: Date | null
  readonly expiresAt: Date | null
  /** The key this one replaced. */
  readonly rotatedFrom: string | null
}

export interface NewApiKey {
  /** Defaults to a random UUID. */
  readonly id?: string
  readonly prefix: string
  readonly hash: string
  readonly name: string
  readonly role: ApiKeyRole
  readonly allowedModels?: readonly string[] | null
  readonly scopes?: readonly string[]
  readonly expiresAt?: Date | null
}

export interface ApiKeyStore {
  /** ALREADY_EXISTS when the id or prefix is taken. */
  create(key: NewApiKey): Promise<ApiKeyRecord>
  /** ApiKeyNotFoundError when absent. */
  get(id: string): Promise<ApiKeyRecord>
  /** Revoked and expired keys too, so the caller can say why a key is refused; null when unknown. */
  findByPrefix(prefix: string): Promise<ApiKeyRecord | null>
  /** Oldest first; revoked keys only when asked. */
  list(options?: { readonly includeRevoked?: boolean }): Promise<ApiKeyRecord[]>
  /** Sets revokedAt (once; revoking again keeps the first time). */
  revoke(id: string): Promise<ApiKeyRecord>
  /**
   * Creates `next` with rotatedFrom = id and, in the same transaction, revokes the old key,
   * or with `oldKeyExpiresAt` lets it live until then (a grace period for clients).
   * FAILED_PRECONDITION when the old key is already revoked.
   */
  rotate(id: string, next: NewApiKey, options?: { readonly oldKeyExpiresAt?: Date }): Promise<ApiKeyRecord>
}
