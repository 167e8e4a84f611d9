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

/**
 * Wraps `handler` as the grpc-js handler of RPC `method`. The first of the handler's answer,
 * the client's cancellation and the deadline settles the call; the later ones are ignored.
 * Plain callbacks rather than a Promise.race over an abort promise: this runs once per call,
 * and every ModelInfer pays for it.
 */
export function unaryCall<Request, Response>(
  method: string,
  logger: Logger,
  handler: UnaryHandler<Request, Response>,
): handleUnaryCall<Request, Response> {
  return (call, callback) => {
    const controller = new AbortController()
    let settled = false
    let timer: NodeJS.Timeout | undefined
    const finish = (): boolean => {
      if (settled) return false
      settled = true
      if (timer !== undefined) clearTimeout(timer)
      call.off('cancelled', onCancelled)
      return true
    }
    const succeed = (response: Response) => {
      if (finish()) callback(null, response)
    }
    const fail = (error: unknown) => {
      if (finish()) callback(toServiceError(error, logger, method))
    }
    const abort = (reason: MaasError) => {
      if (settled) return
      controller.abort(reason)
      fail(reason)
    }
    const onCancelled = () => abort(new MaasError('CANCELLED', `the client cancelled ${method}`))
    call.once('cancelled', onCancelled)
    timer = watchDeadline(call, () => abort(new MaasError('DEADLINE_EXCEEDED', `the deadline passed before ${method} finished`)))
    if (call.cancelled) onCancelled()
    if (settled) return
    let result: Response | Promise<Response>
    try {
      result = handler(call.request, controller.signal, call)
    } catch (error) {
      fail(error)
      return
    }
    if (result instanceof Promise) result.then(succeed, fail)
    else succeed(result)
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
