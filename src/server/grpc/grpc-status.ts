/**
 * @module server/grpc/grpc-status
 * The one table from maas error codes to gRPC status codes, and the one function that turns
 * anything a handler throws into the ServiceError grpc-js sends. Unknown errors become
 * INTERNAL with a generic message; their cause goes to the log, never to the client.
 */
import { Metadata, status, type ServiceError } from '@grpc/grpc-js'
import { toMaasError, type ErrorCode } from '../../core/errors.ts'
import type { Logger } from '../logger.ts'

/** A code without a status here fails to compile. */
export const GRPC_STATUS: Record<ErrorCode, status> = {
  INVALID_ARGUMENT: status.INVALID_ARGUMENT,
  NOT_FOUND: status.NOT_FOUND,
  ALREADY_EXISTS: status.ALREADY_EXISTS,
  FAILED_PRECONDITION: status.FAILED_PRECONDITION,
  UNAUTHENTICATED: status.UNAUTHENTICATED,
  PERMISSION_DENIED: status.PERMISSION_DENIED,
  RESOURCE_EXHAUSTED: status.RESOURCE_EXHAUSTED,
  PAYLOAD_TOO_LARGE: status.RESOURCE_EXHAUSTED,
  UNSUPPORTED_MEDIA_TYPE: status.INVALID_ARGUMENT,
  UNAVAILABLE: status.UNAVAILABLE,
  DEADLINE_EXCEEDED: status.DEADLINE_EXCEEDED,
  CANCELLED: status.CANCELLED,
  UNIMPLEMENTED: status.UNIMPLEMENTED,
  INTERNAL: status.INTERNAL,
}

/**
 * Normalises a thrown value into a ServiceError and logs it: INTERNAL at error level with
 * the cause, everything else at info level. `method` names the RPC in the log line.
 */
export function toServiceError(thrown: unknown, logger: Logger, method: string): ServiceError {
  const error = toMaasError(thrown)
  const code = GRPC_STATUS[error.code]
  if (error.code === 'INTERNAL') {
    logger.error({ method, err: error.cause ?? error }, 'grpc call failed')
  } else {
    logger.info({ method, code: status[code], error: error.message }, 'grpc call rejected')
  }
  return Object.assign(new Error(error.message), { code, details: error.message, metadata: new Metadata() })
}
