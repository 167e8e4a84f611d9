/**
 * @module core/errors
 * The one error vocabulary of maas. Transports map ErrorCode to their own status in one
 * table each (server/http/http-errors.ts); nothing below server/ knows HTTP or gRPC.
 */

/** Transport-neutral error codes, named after gRPC's canonical codes. */
export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'FAILED_PRECONDITION'
  | 'UNAUTHENTICATED'
  | 'PERMISSION_DENIED'
  | 'RESOURCE_EXHAUSTED'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'UNAVAILABLE'
  | 'DEADLINE_EXCEEDED'
  | 'CANCELLED'
  | 'UNIMPLEMENTED'
  | 'INTERNAL'

/** Every error maas raises on purpose; its message is safe to show to a client. */
export class MaasError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options)
    this.name = new.target.name
  }
}

/** A request that is malformed: bad JSON, wrong datatype or shape, missing tensor. */
export class InvalidArgumentError extends MaasError {
  constructor(message: string, options?: ErrorOptions) {
    super('INVALID_ARGUMENT', message, options)
  }
}

/** A model (or one of its versions) that the server does not know. */
export class ModelNotFoundError extends MaasError {
  constructor(name: string, version?: string) {
    super(
      'NOT_FOUND',
      version === undefined
        ? `model '${name}' is not found`
        : `version '${version}' of model '${name}' is not found`,
    )
  }
}

/** A model the server knows but cannot run right now (loading, unloaded, failed). */
export class ModelNotReadyError extends MaasError {
  constructor(name: string, version: string | undefined, state: string) {
    super(
      'UNAVAILABLE',
      version === undefined
        ? `model '${name}' is not ready (${state})`
        : `version '${version}' of model '${name}' is not ready (${state})`,
    )
  }
}

/** A request body larger than the configured limit. */
export class PayloadTooLargeError extends MaasError {
  constructor(limitBytes: number) {
    super('PAYLOAD_TOO_LARGE', `request body exceeds the limit of ${limitBytes} bytes`)
  }
}

/** A request body in a content type the endpoint does not read. */
export class UnsupportedMediaTypeError extends MaasError {
  constructor(contentType: string, accepted: readonly string[]) {
    super(
      'UNSUPPORTED_MEDIA_TYPE',
      `unsupported content type '${contentType}'; expected one of ${accepted.join(', ')}`,
    )
  }
}

/** The server is shutting down or otherwise cannot take the request. */
export class ServerUnavailableError extends MaasError {
  constructor(message: string) {
    super('UNAVAILABLE', message)
  }
}

/** Normalises anything thrown into a MaasError; unknown errors become INTERNAL with a generic message. */
export function toMaasError(error: unknown): MaasError {
  if (error instanceof MaasError) return error
  return new MaasError('INTERNAL', 'internal server error', { cause: error })
}
