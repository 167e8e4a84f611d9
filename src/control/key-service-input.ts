/**
 * @module control/key-service-input
 * Turns untrusted JSON (an HTTP body, CLI options) into the typed inputs of KeyService, with
 * INVALID_ARGUMENT messages that name the field at fault. Transport-free: every front end
 * validates the same way.
 */
import { InvalidArgumentError } from '../core/errors.ts'
import { API_KEY_ROLES, type ApiKeyRole } from '../registry/api-key-store.ts'
import { assertModelName } from '../registry/registry-names.ts'

/** What `KeyService.create` needs; the secret and prefix are generated. */
export interface NewKeyRequest {
  /** Default `key-<prefix>`. Also the owner name of models a publisher key creates. */
  readonly name?: string
  readonly role: ApiKeyRole
  /** Private models granted to the key (public ones need no grant). */
  readonly models?: readonly string[] | null
  /** Scopes beyond the role: 'metrics' lets a key read /metrics. */
  readonly scopes?: readonly string[]
  /** When the key stops working; absent or null: never. */
  readonly expiresAt?: Date | null
}

/** What `KeyService.rotate` needs. */
export interface RotateRequest {
  /** How long the old key keeps working, 0 (revoked at once) to MAX_GRACE_SECONDS. */
  readonly graceSeconds?: number
}

/** The old key's grace period when a rotation names none: long enough to roll out the new one. */
export const DEFAULT_GRACE_SECONDS = 3600
export const MAX_GRACE_SECONDS = 30 * 86_400
/** Longest lifetime a key may be given at creation: ten years. */
export const MAX_KEY_LIFETIME_SECONDS = 10 * 365 * 86_400

const KEY_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/
const CREATE_FIELDS = ['name', 'role', 'models', 'scopes', 'expires_at', 'expires_in_seconds'] as const

/** Scopes a key may hold beyond its role. */
export const KEY_SCOPES = ['metrics'] as const
const ROTATE_FIELDS = ['grace_seconds'] as const

type Json = Record<string, unknown>

/** Throws unless `name` is 1–64 of [A-Za-z0-9._@-], starting with a letter or digit. */
export function assertKeyName(name: string): void {
  if (!KEY_NAME.test(name)) {
    throw new InvalidArgumentError(`key name '${name}' must be 1-64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit`)
  }
}

/** Checks and normalises a create request (models de-duplicated and sorted); `now` is epoch ms. */
export function checkNewKeyRequest(request: NewKeyRequest, now: number): NewKeyRequest {
  if (request.name !== undefined) assertKeyName(request.name)
  if (!(API_KEY_ROLES as readonly string[]).includes(request.role)) {
    throw new InvalidArgumentError(`key role '${String(request.role)}' must be one of ${API_KEY_ROLES.join(', ')}`)
  }
  const models = request.models == null ? null : [...new Set(request.models)].sort()
  for (const model of models ?? []) assertModelName(model)
  const expiresAt = request.expiresAt ?? null
  if (expiresAt !== null) {
    if (Number.isNaN(expiresAt.getTime())) throw new InvalidArgumentError('key expiry is not a valid date')
    if (expiresAt.getTime() <= now) throw new InvalidArgumentError(`key expiry ${expiresAt.toISOString()} is not in the future`)
    if (expiresAt.getTime() > now + MAX_KEY_LIFETIME_SECONDS * 1000) {
      throw new InvalidArgumentError(`key expiry ${expiresAt.toISOString()} is more than ten years away`)
    }
  }
  for (const scope of request.scopes ?? []) {
    if (!(KEY_SCOPES as readonly string[]).includes(scope)) throw new InvalidArgumentError(`key scope '${scope}' must be one of ${KEY_SCOPES.join(', ')}`)
  }
  const scopes = [...new Set(request.scopes ?? [])].sort()
  return { ...(request.name !== undefined && { name: request.name }), role: request.role, models, scopes, expiresAt }
}

/** Throws unless `seconds` is an integer from 0 to MAX_GRACE_SECONDS. */
export function assertGraceSeconds(seconds: number, what = 'grace period'): void {
  if (!Number.isSafeInteger(seconds) || seconds < 0 || seconds > MAX_GRACE_SECONDS) {
    throw new InvalidArgumentError(`${what} must be an integer number of seconds from 0 to ${MAX_GRACE_SECONDS} (30 days), got ${JSON.stringify(seconds)}`)
  }
}

/**
 * A create request from a JSON body: `{"role", "name"?, "models"?: [..], "expires_at"?: ISO
 * 8601 | "expires_in_seconds"?: n}`; `now` (epoch ms) anchors expires_in_seconds.
 */
export function parseNewKeyBody(body: Json, now: number): NewKeyRequest {
  const what = 'create key'
  refuseUnknown(body, CREATE_FIELDS, what)
  const { name, role, models } = body
  if (role === undefined) throw new InvalidArgumentError(`${what}: "role" is required (one of ${API_KEY_ROLES.join(', ')})`)
  if (typeof role !== 'string') throw new InvalidArgumentError(`${what}: "role" must be a string`)
  if (name !== undefined && typeof name !== 'string') throw new InvalidArgumentError(`${what}: "name" must be a string`)
  if (models !== undefined && models !== null && !(Array.isArray(models) && models.every((model) => typeof model === 'string'))) {
    throw new InvalidArgumentError(`${what}: "models" must be an array of model names`)
  }
  return checkNewKeyRequest({
    role: role as ApiKeyRole,
    ...(name !== undefined && { name }),
    models: (models as string[] | null | undefined) ?? null,
    ...(body.scopes !== undefined ? { scopes: checkScopesField(body.scopes) } : {}),
    expiresAt: expiryOf(body, now, what),
  }, now)
}

/** A rotate request from a JSON body: `{"grace_seconds"?: n}`. */
export function parseRotateBody(body: Json): RotateRequest {
  refuseUnknown(body, ROTATE_FIELDS, 'rotate key')
  const grace = body.grace_seconds
  if (grace === undefined) return {}
  if (typeof grace !== 'number') throw new InvalidArgumentError('rotate key: "grace_seconds" must be a number')
  assertGraceSeconds(grace, 'rotate key: "grace_seconds"')
  return { graceSeconds: grace }
}

function expiryOf(body: Json, now: number, what: string): Date | null {
  const { expires_at: at, expires_in_seconds: inSeconds } = body
  if (at != null && inSeconds != null) throw new InvalidArgumentError(`${what}: give "expires_at" or "expires_in_seconds", not both`)
  if (at != null) {
    if (typeof at !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(at) || Number.isNaN(Date.parse(at))) {
      throw new InvalidArgumentError(`${what}: "expires_at" must be an ISO 8601 date-time such as 2030-01-31T00:00:00Z`)
    }
    return new Date(Date.parse(at))
  }
  if (inSeconds != null) {
    if (typeof inSeconds !== 'number' || !Number.isSafeInteger(inSeconds) || inSeconds < 1 || inSeconds > MAX_KEY_LIFETIME_SECONDS) {
      throw new InvalidArgumentError(`${what}: "expires_in_seconds" must be an integer from 1 to ${MAX_KEY_LIFETIME_SECONDS} (ten years)`)
    }
    return new Date(now + inSeconds * 1000)
  }
  return null
}

function refuseUnknown(body: Json, known: readonly string[], what: string): void {
  for (const key of Object.keys(body)) {
    if (!known.includes(key)) throw new InvalidArgumentError(`${what}: unknown field '${key}'; known fields: ${known.join(', ')}`)
  }
}

function checkScopesField(value: unknown): string[] {
  if (!Array.isArray(value) || !value.every((scope) => typeof scope === 'string')) throw new InvalidArgumentError('"scopes" must be an array of strings')
  return value as string[]
}
