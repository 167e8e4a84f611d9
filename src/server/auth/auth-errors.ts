/**
 * @module server/auth/auth-errors
 * The errors the security layer raises. They are MaasErrors with the neutral codes
 * UNAUTHENTICATED, PERMISSION_DENIED and RESOURCE_EXHAUSTED, so the HTTP and gRPC adapters
 * map them with their existing tables; LimitExceededError also carries how long to wait,
 * for REST's `Retry-After`.
 */
import { MaasError } from '../../core/errors.ts'

/** No usable credentials: missing, malformed, unknown, revoked or expired API key. */
export class UnauthenticatedError extends MaasError {
  constructor(message: string, options?: ErrorOptions) {
    super('UNAUTHENTICATED', message, options)
  }
}

/** Valid credentials that do not allow this action on this resource. */
export class PermissionDeniedError extends MaasError {
  constructor(message: string) {
    super('PERMISSION_DENIED', message)
  }
}

/** Which limit refused a request. */
export type LimitKind = 'key-rate' | 'model-rate' | 'daily-requests' | 'daily-samples' | 'concurrency'

/** A rate limit, daily quota or concurrency limit refused the request before any model work. */
export class LimitExceededError extends MaasError {
  /** Milliseconds after which the same request may succeed; at least 1, finite. */
  readonly retryAfterMs: number

  constructor(
    readonly limit: LimitKind,
    message: string,
    retryAfterMs: number,
  ) {
    super('RESOURCE_EXHAUSTED', message)
    // Infinity (a cost no bucket can hold, e.g. a key limit with capacity < 1) becomes a day.
    this.retryAfterMs = Number.isFinite(retryAfterMs) ? Math.max(1, Math.ceil(retryAfterMs)) : 86_400_000
  }

  /** Whole seconds for HTTP `Retry-After`, rounded up so a client never retries too early. */
  get retryAfterSeconds(): number {
    return retryAfterSeconds(this.retryAfterMs)
  }
}

/** Milliseconds → whole seconds for `Retry-After`, rounded up, at least 1. */
export function retryAfterSeconds(milliseconds: number): number {
  return Math.max(1, Math.ceil(milliseconds / 1000))
}
