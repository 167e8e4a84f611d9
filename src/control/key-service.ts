/**
 * @module control/key-service
 * API key management, transport-neutral: create (the plaintext key is returned once; only
 * its hash and public prefix are stored), list, get, revoke, rotate (the old key keeps
 * working for a grace period, then expires), and import of a key made elsewhere (the admin
 * key of a deployment). Every action is written to the audit log with its actor; records
 * leave this service without their hash.
 */
import { randomUUID } from 'node:crypto'
import { InvalidArgumentError } from '../core/errors.ts'
import type { ApiKeyRecord, ApiKeyRole } from '../registry/api-key-store.ts'
import type { AuditResult } from '../registry/audit-store.ts'
import { RegistryConflictError, RegistryPreconditionError } from '../registry/registry-errors.ts'
import type { RegistryStore } from '../registry/registry-store.ts'
import { describeApiKey, generateApiKey, hashApiKey, splitApiKey, verifyApiKey, type ApiKeyHashOptions } from './api-key.ts'
import {
  DEFAULT_GRACE_SECONDS, assertGraceSeconds, assertKeyName, checkNewKeyRequest, type NewKeyRequest, type RotateRequest,
} from './key-service-input.ts'

/** Whether a key works now. */
export type KeyStatus = 'active' | 'expired' | 'revoked'

/** A stored key as callers see it: everything but the hash, plus its status now. */
export interface KeyInfo extends Omit<ApiKeyRecord, 'hash'> {
  readonly status: KeyStatus
}

/** A key just made: `key` is the plaintext, shown this once and stored nowhere. */
export interface CreatedKey {
  readonly key: string
  readonly record: KeyInfo
}

/** The result of a rotation: the new key, and the old one with the end of its grace period. */
export interface RotatedKey extends CreatedKey {
  readonly previous: KeyInfo
}

export interface KeyServiceOptions {
  readonly registry: Pick<RegistryStore, 'keys' | 'audit'>
  /** The server-side pepper keys are hashed with (see control/api-key); none by default. */
  readonly pepper?: string | Buffer
  /** Epoch milliseconds; default Date.now. */
  readonly now?: () => number
  readonly logger?: { warn(details: object, message: string): void }
}

const ANONYMOUS = 'anonymous'
/** Tries at a fresh prefix when a generated one is taken (40 random bits: practically never). */
const PREFIX_ATTEMPTS = 3

export class KeyService {
  readonly #registry: Pick<RegistryStore, 'keys' | 'audit'>
  readonly #hashing: ApiKeyHashOptions
  readonly #now: () => number
  readonly #logger: KeyServiceOptions['logger']

  constructor(options: KeyServiceOptions) {
    this.#registry = options.registry
    this.#hashing = options.pepper === undefined ? {} : { pepper: options.pepper }
    this.#now = options.now ?? Date.now
    this.#logger = options.logger
  }

  /** Makes a key; the plaintext is in the result and nowhere else. */
  create(request: NewKeyRequest, actor = ANONYMOUS): Promise<CreatedKey> {
    const id = randomUUID()
    return this.#audited(actor, 'key.create', id, { name: request.name, role: request.role }, async () => {
      const checked = checkNewKeyRequest(request, this.#now())
      for (let attempt = 1; ; attempt++) {
        const { key, prefix, hash } = generateApiKey(this.#hashing)
        try {
          const record = await this.#registry.keys.create({
            id, prefix, hash, name: checked.name ?? `key-${prefix}`, role: checked.role,
            allowedModels: checked.models ?? null, scopes: checked.scopes ?? [], expiresAt: checked.expiresAt ?? null,
          })
          return { key, record: this.#info(record) }
        } catch (error) {
          if (!(error instanceof RegistryConflictError) || attempt >= PREFIX_ATTEMPTS) throw error
        }
      }
    }, (created) => detailsOf(created.record))
  }

  /**
   * Stores the hash of a key made outside this service: MAAS_ADMIN_KEY ('import') or the
   * admin key the bootstrap wrote to a file ('bootstrap'). INVALID_ARGUMENT for a key that is
   * not in the maas format; ALREADY_EXISTS when its prefix is taken.
   */
  register(
    key: string, fields: { readonly name: string; readonly role: ApiKeyRole }, actor = ANONYMOUS, how: 'import' | 'bootstrap' = 'import',
  ): Promise<KeyInfo> {
    const id = randomUUID()
    return this.#audited(actor, `key.${how}`, id, { name: fields.name, role: fields.role }, async () => {
      const parsed = splitApiKey(key)
      if (parsed === null) throw new InvalidArgumentError('not an API key in the maas format')
      assertKeyName(fields.name)
      const record = await this.#registry.keys.create({ id, prefix: parsed.prefix, hash: hashApiKey(key, this.#hashing), ...fields })
      return this.#info(record)
    }, detailsOf)
  }

  /** Keys oldest first; revoked ones only when asked. */
  async list(options: { readonly includeRevoked?: boolean } = {}): Promise<KeyInfo[]> {
    return (await this.#registry.keys.list(options)).map((record) => this.#info(record))
  }

  /** One key; NOT_FOUND when unknown. */
  async get(id: string): Promise<KeyInfo> {
    return this.#info(await this.#registry.keys.get(id))
  }

  /** The stored record with its hash, for bootstrap checks; null when the prefix is unknown. */
  findByPrefix(prefix: string): Promise<ApiKeyRecord | null> {
    return this.#registry.keys.findByPrefix(prefix)
  }

  /** True when `key` is the plaintext of the stored `record` (constant-time hash comparison). */
  verify(key: string, record: Pick<ApiKeyRecord, 'hash'>): boolean {
    return verifyApiKey(key, record.hash, this.#hashing)
  }

  /** True when some admin key is neither revoked nor expired. */
  async hasActiveAdmin(): Promise<boolean> {
    return (await this.list()).some((key) => key.role === 'admin' && key.status === 'active')
  }

  /**
   * Revokes a key at once (revoking again keeps the first time). FAILED_PRECONDITION for
   * the last active admin key, so that no one is locked out of key management.
   */
  revoke(id: string, actor = ANONYMOUS): Promise<KeyInfo> {
    return this.#audited(actor, 'key.revoke', id, {}, async () => {
      const key = await this.get(id)
      if (key.role === 'admin' && key.status === 'active') {
        const others = (await this.list()).filter((other) => other.id !== id && other.role === 'admin' && other.status === 'active')
        if (others.length === 0) {
          throw new RegistryPreconditionError(`API key '${id}' is the last active admin key; create another admin key before revoking it`)
        }
      }
      return this.#info(await this.#registry.keys.revoke(id))
    }, detailsOf)
  }

  /**
   * Replaces a key by a new one with the same name, role, models and expiry. The old key
   * works for `graceSeconds` more (default DEFAULT_GRACE_SECONDS; 0 revokes it at once).
   * FAILED_PRECONDITION for a revoked or expired key.
   */
  rotate(id: string, request: RotateRequest = {}, actor = ANONYMOUS): Promise<RotatedKey> {
    const graceSeconds = request.graceSeconds ?? DEFAULT_GRACE_SECONDS
    return this.#audited(actor, 'key.rotate', id, { grace_seconds: graceSeconds }, async () => {
      assertGraceSeconds(graceSeconds)
      const old = await this.get(id)
      if (old.status === 'expired') {
        throw new RegistryPreconditionError(`API key '${id}' expired at ${old.expiresAt!.toISOString()}; create a new key instead`)
      }
      const oldKeyExpiresAt = graceSeconds === 0 ? {} : { oldKeyExpiresAt: new Date(this.#now() + graceSeconds * 1000) }
      for (let attempt = 1; ; attempt++) {
        const { key, prefix, hash } = generateApiKey(this.#hashing)
        try {
          const next = { prefix, hash, name: old.name, role: old.role, allowedModels: old.allowedModels, scopes: old.scopes, expiresAt: old.expiresAt }
          const record = await this.#registry.keys.rotate(id, next, oldKeyExpiresAt)
          return { key, record: this.#info(record), previous: await this.get(id) }
        } catch (error) {
          if (!(error instanceof RegistryConflictError) || attempt >= PREFIX_ATTEMPTS) throw error
        }
      }
    }, (rotated) => ({ ...detailsOf(rotated.previous), new_key: rotated.record.id, new_prefix: describeApiKey(rotated.record.prefix) }))
  }

  #info(record: ApiKeyRecord): KeyInfo {
    const { hash: _hash, ...rest } = record
    const status: KeyStatus = record.revokedAt !== null ? 'revoked'
      : record.expiresAt !== null && record.expiresAt.getTime() <= this.#now() ? 'expired' : 'active'
    return { ...rest, status }
  }

  /** Runs `work`, then appends its audit entry (success with `describe(result)`, or failure with the message). */
  async #audited<T>(
    actor: string, action: string, id: string, details: Record<string, unknown>,
    work: () => Promise<T>, describe: (result: T) => Record<string, unknown>,
  ): Promise<T> {
    const append = (result: AuditResult, extra: Record<string, unknown>) =>
      this.#registry.audit.append({ actor, action, target: `key:${id}`, result, details: withoutUndefined({ ...details, ...extra }) })
        .catch((error: Error) => this.#logger?.warn({ action, target: `key:${id}`, reason: error.message }, 'audit log write failed'))
    let result: T
    try {
      result = await work()
    } catch (error) {
      await append('failure', { error: (error as Error).message })
      throw error
    }
    await append('success', describe(result))
    return result
  }
}

/** What the audit log keeps of a key: never its hash or secret. */
function detailsOf(key: KeyInfo): Record<string, unknown> {
  return {
    name: key.name, role: key.role, prefix: describeApiKey(key.prefix), models: key.allowedModels,
    expires_at: key.expiresAt?.toISOString() ?? null, status: key.status,
  }
}

function withoutUndefined(details: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(details).filter(([, value]) => value !== undefined))
}
