/**
 * @module server/grpc/grpc-unary-call
 * Adapts an async handler to a grpc-js unary handler: gives it a cancel signal that fires when
 * the call's deadline passes or the client cancels, answers DEADLINE_EXCEEDED / CANCELLED at
 * that moment even if the handler does not stop, and maps every error through toServiceError.
 */
import type { handleUnaryCall, sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js'
import { MaasError } from '../../core/errors.ts'
import { MAX_TIMER_MS } from '../../core/timer-limit.ts'
import type { CancelSignal } from '../../runtime/scheduler.ts'
import type { Logger } from '../logger.ts'
import { toServiceError } from './grpc-status.ts'

/** A unary RPC body: request message in, response message out. */
export type UnaryHandler<Request, Response> = (request: Request, signal: CancelSignal, call: ServerUnaryCall<Request, Response>) => Response | Promise<Response>

/**
 * Wraps `handler` as the grpc-js handler of RPC `method`. The first of the handler's answer,
 * the client's cancellation and the deadline settles the call; the later ones are ignored.
 */
export function unaryCall<Request, Response>(
  method: string,
  logger: Logger,
  handler: UnaryHandler<Request, Response>,
): handleUnaryCall<Request, Response> {
  return (call, callback) => new UnaryCallRun(method, logger, call, callback).run(handler)
}

/**
 * One call in flight, and its cancel signal. A class with constructor-assigned listeners
 * rather than closures and an AbortController per call: every ModelInfer pays for this, and
 * tsx's keepNames makes each named closure cost an Object.defineProperty call.
 */
class UnaryCallRun<Request, Response> implements CancelSignal {
  #aborted = false
  readonly #method: string
  readonly #call: ServerUnaryCall<Request, Response>
  readonly #callback: sendUnaryData<Response>
  #settled = false
  #timer: NodeJS.Timeout | undefined
  #listeners: (() => void)[] | undefined
  readonly #onCancelled: () => void
  readonly #succeed: (response: Response) => void
  readonly #fail: (error: unknown) => void

  constructor(method: string, logger: Logger, call: ServerUnaryCall<Request, Response>, callback: sendUnaryData<Response>) {
    this.#method = method
    this.#call = call
    this.#callback = callback
    this.#onCancelled = () => this.#abort(new MaasError('CANCELLED', `the client cancelled ${method}`))
    this.#succeed = (response) => {
      if (this.#finish()) callback(null, response)
    }
    this.#fail = (error) => {
      if (this.#finish()) callback(toServiceError(error, logger, method))
    }
  }

  run(handler: UnaryHandler<Request, Response>): void {
    const call = this.#call
    call.once('cancelled', this.#onCancelled)
    this.#watchDeadline()
    if (call.cancelled) this.#onCancelled()
    if (this.#settled) return
    let result: Response | Promise<Response>
    try {
      result = handler(call.request, this, call)
    } catch (error) {
      this.#fail(error)
      return
    }
    if (result instanceof Promise) result.then(this.#succeed, this.#fail)
    else this.#succeed(result)
  }

  get aborted(): boolean {
    return this.#aborted
  }

  addEventListener(_type: 'abort', listener: () => void): void {
    if (!this.#aborted) (this.#listeners ??= []).push(listener)
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const index = this.#listeners?.indexOf(listener) ?? -1
    if (index !== -1) this.#listeners!.splice(index, 1)
  }

  #finish(): boolean {
    if (this.#settled) return false
    this.#settled = true
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#call.off('cancelled', this.#onCancelled)
    return true
  }

  #abort(reason: MaasError): void {
    if (this.#settled) return
    this.#aborted = true
    const listeners = this.#listeners
    this.#listeners = undefined
    for (const listener of listeners ?? []) listener()
    this.#fail(reason)
  }

  /** Aborts when the call's deadline passes (at once if it already has); none: no timer. */
  #watchDeadline(): void {
    const deadline = this.#call.getDeadline()
    const at = deadline instanceof Date ? deadline.getTime() : deadline
    if (!Number.isFinite(at)) return
    const left = at - Date.now()
    if (left <= 0) this.#expire()
    // setTimeout fires at once past 2^31 - 1 ms (~24.8 days); a deadline that far away is no deadline here.
    else if (left <= MAX_TIMER_MS) this.#timer = setTimeout(() => this.#expire(), left)
  }

  #expire(): void {
    this.#abort(new MaasError('DEADLINE_EXCEEDED', `the deadline passed before ${this.#method} finished`))
  }
}
