/**
 * @module server/grpc/grpc-stream-infer
 * Triton's ModelStreamInfer: a bidirectional stream of ModelInferRequest in and
 * ModelStreamInferResponse out. Each request runs as a ModelInfer would (same admission per
 * message, same data plane call), and the answers are written in the order the requests
 * came, as Triton does for non-decoupled models, so a client can match them by position
 * even without ids. A failed request answers `error_message` with an `infer_response`
 * naming its id, model and version (as Triton does), and the stream goes on.
 *
 * Limits: at most MAX_PENDING requests of one stream are in flight or waiting to be
 * written; past that the stream stops reading until half of them are answered, and the
 * answers wait for the transport to drain before the next is written, so a client that
 * sends without reading cannot make the server buffer without bound. The stream ends once
 * the client has half-closed and every request is answered; the client cancelling, or the call's deadline passing
 * (grpc-js cancels the call then), drops what is still queued.
 */
import { setMaxListeners } from 'node:events'
import type { ServerDuplexStream } from '@grpc/grpc-js'
import { MaasError } from '../../core/errors.ts'
import type { DataPlane } from '../../inference/data-plane.ts'
import type { Security } from '../auth/security.ts'
import type { Logger } from '../logger.ts'
import type { ModelInferRequestMessage, ModelInferResponseMessage } from './grpc-messages.ts'
import { admitStreamMessage, grpcCallerOf, streamingRule } from './grpc-security.ts'
import { toServiceError } from './grpc-status.ts'
import { decodeModelInferRequest, encodeModelInferResponse } from './grpc-tensor-codec.ts'

/** Requests of one stream running or answered but not yet written; past this, reading pauses. */
export const MAX_PENDING = 64

interface StreamResponse {
  readonly error_message?: string
  readonly infer_response?: Partial<ModelInferResponseMessage>
}

type Call = ServerDuplexStream<ModelInferRequestMessage, StreamResponse>

export function streamInferCall(dataPlane: DataPlane, logger: Logger, security?: Security) {
  if (security) streamingRule('ModelStreamInfer')
  return (call: Call): void => new InferStream(call, dataPlane, logger, security).start()
}

class InferStream {
  readonly #call: Call
  readonly #dataPlane: DataPlane
  readonly #logger: Logger
  readonly #security: Security | undefined
  readonly #controller = new AbortController()
  /** Answers in request order; the head is written as soon as it settles. */
  readonly #pending: Promise<StreamResponse>[] = []
  #writing = false
  #halfClosed = false
  #paused = false

  constructor(call: Call, dataPlane: DataPlane, logger: Logger, security: Security | undefined) {
    this.#call = call
    this.#dataPlane = dataPlane
    this.#logger = logger
    this.#security = security
    // Every queued request of the stream listens to the one signal.
    setMaxListeners(0, this.#controller.signal)
  }

  start(): void {
    const call = this.#call
    call.on('data', (message: ModelInferRequestMessage) => this.#receive(message))
    call.on('end', () => {
      this.#halfClosed = true
      this.#endIfDone()
    })
    call.on('cancelled', () => this.#stop(new MaasError('CANCELLED', 'the client cancelled ModelStreamInfer')))
    call.on('error', () => this.#stop(new MaasError('CANCELLED', 'the ModelStreamInfer transport failed')))
  }

  #receive(message: ModelInferRequestMessage): void {
    this.#pending.push(this.#answer(message))
    if (this.#pending.length >= MAX_PENDING) this.#pause()
    if (this.#pending.length === 1) void this.#flush()
  }

  /** Runs one request; never rejects: a failure is an answer too. */
  async #answer(message: ModelInferRequestMessage): Promise<StreamResponse> {
    try {
      const admission = { metadata: this.#call.metadata, request: message as unknown as Record<string, unknown> }
      const release = this.#security ? await admitStreamMessage(admission, 'ModelStreamInfer', this.#security) : undefined
      try {
        const { modelName, modelVersion, request } = decodeModelInferRequest(message)
        const response = await this.#dataPlane.infer(modelName, modelVersion, request, this.#controller.signal, grpcCallerOf(admission))
        return { infer_response: encodeModelInferResponse(response) }
      } finally {
        release?.()
      }
    } catch (error) {
      return {
        error_message: toServiceError(error, this.#logger, 'ModelStreamInfer').details,
        infer_response: { id: message.id ?? '', model_name: message.model_name ?? '', model_version: message.model_version ?? '' },
      }
    }
  }

  /** Writes settled answers from the head, in order, waiting for the transport to drain. */
  async #flush(): Promise<void> {
    if (this.#writing) return
    this.#writing = true
    try {
      while (this.#pending.length > 0) {
        const answer = await this.#pending[0]!
        this.#pending.shift()
        if (this.#pending.length < MAX_PENDING / 2) this.#resume()
        if (this.#call.cancelled || this.#controller.signal.aborted) continue
        if (!this.#call.write(answer)) await this.#drainedOrClosed()
      }
    } catch (error) {
      this.#logger.error({ err: error }, 'ModelStreamInfer could not write an answer')
      this.#stop(new MaasError('INTERNAL', 'ModelStreamInfer could not write an answer'))
    } finally {
      this.#writing = false
    }
    this.#resume()
    this.#endIfDone()
  }

  /**
   * Resolves when the transport drains or the call closes (a cancelled call never drains),
   * and takes both listeners off again: a long stream waits for drain many times.
   */
  #drainedOrClosed(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.#call.off('drain', done)
        this.#call.off('close', done)
        resolve()
      }
      this.#call.once('drain', done)
      this.#call.once('close', done)
    })
  }

  #pause(): void {
    if (this.#paused) return
    this.#paused = true
    this.#call.pause()
  }

  #resume(): void {
    if (!this.#paused) return
    this.#paused = false
    this.#call.resume()
  }

  #endIfDone(): void {
    if (!this.#halfClosed || this.#pending.length > 0 || this.#writing) return
    if (!this.#call.cancelled && !this.#controller.signal.aborted) this.#call.end()
  }

  #stop(reason: MaasError): void {
    if (!this.#controller.signal.aborted) this.#controller.abort(reason)
  }
}
