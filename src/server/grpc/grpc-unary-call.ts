/**
 * @module server/grpc/grpc-unary-call
 * Adapts an async handler to a grpc-js unary handler: gives it an AbortSignal that fires when
 * the call's deadline passes or the client cancels, answers DEADLINE_EXCEEDED / CANCELLED at
 * that moment even if the handler does not stop, and maps every error through toServiceError.
 */
import type { handleUnaryCall, ServerUnaryCall } from '@grpc/grpc-js'
import { MaasError } from '../../core/errors.ts'
import type { Logger } from '../logger.ts'
import { toServiceError } from './grpc-status.ts'

/** A unary RPC body: request message in, response message out. */
export type UnaryHandler<Request, Response> = (request: Request, signal: AbortSignal, call: ServerUnaryCall<Request, Response>) => Response | Promise<Response>

/** Wraps `handler` as the grpc-js handler of RPC `method`. */
export function unaryCall<Request, Response>(
  method: string,
  logger: Logger,
  handler: UnaryHandler<Request, Response>,
): handleUnaryCall<Request, Response> {
  return (call, callback) => {
    const controller = new AbortController()
    const { signal } = controller
    const onCancelled = () => controller.abort(new MaasError('CANCELLED', `the client cancelled ${method}`))
    call.once('cancelled', onCancelled)
    const timer = watchDeadline(call, () => controller.abort(new MaasError('DEADLINE_EXCEEDED', `the deadline passed before ${method} finished`)))
    const aborted = new Promise<never>((_, reject) => {
      if (signal.aborted) reject(signal.reason)
      else signal.addEventListener('abort', () => reject(signal.reason), { once: true })
    })
    const work = (async () => {
      if (call.cancelled) onCancelled()
      signal.throwIfAborted()
      return handler(call.request, signal, call)
    })()
    Promise.race([work, aborted])
      .then(
        (response) => callback(null, response),
        (error: unknown) => callback(toServiceError(error, logger, method)),
      )
      .finally(() => {
        clearTimeout(timer)
        call.off('cancelled', onCancelled)
      })
  }
}

/** Calls `expire` when the call's deadline passes (at once if it already has); none: no timer. */
function watchDeadline(call: ServerUnaryCall<unknown, unknown>, expire: () => void): NodeJS.Timeout | undefined {
  const deadline = call.getDeadline()
  const at = deadline instanceof Date ? deadline.getTime() : deadline
  if (!Number.isFinite(at)) return undefined
  const left = at - Date.now()
  if (left <= 0) {
    expire()
    return undefined
  }
  return setTimeout(expire, left)
}
