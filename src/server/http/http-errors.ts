/**
 * @module server/http/http-errors
 * The one table from maas error codes to HTTP status, and the error body every endpoint
 * answers with: `{"error": "..."}` as KServe v2 and TF Serving specify.
 */
import type { ErrorCode } from '../../core/errors.ts'

/** A code without a status here fails to compile. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  INVALID_ARGUMENT: 400,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  FAILED_PRECONDITION: 409,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  RESOURCE_EXHAUSTED: 429,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
  CANCELLED: 499,
  UNIMPLEMENTED: 501,
  INTERNAL: 500,
}

export function errorBody(message: string): string {
  return JSON.stringify({ error: message })
}

/** The body of a false readiness (400): the Open Inference Protocol's `ready` and the error format's `error`. */
export function notReadyBody(reason: string, fields: Record<string, unknown> = {}): string {
  return JSON.stringify({ ...fields, ready: false, error: reason })
}
