/**
 * @module server/grpc/grpc-stream-infer
 * Triton's ModelStreamInfer: a bidirectional stream of ModelInferRequest in and
 * ModelStreamInferResponse out. Each request runs as a ModelInfer would (same admission per
 * message, same data plane call) and its answer is written when it finishes — in completion
 * order, so clients match answers by request `id`, as with Triton. A failed request answers
 * `error_message` and the stream goes on; the stream ends when the client has half-closed
 * and every request has been answered. The client cancelling drops what is still queued.
 */
import type { ServerDuplexStream } from '@grpc/grpc-js'
import { MaasError } from '../../core/errors.ts'
import type { DataPlane } from '../../inference/data-plane.ts'
import type { Security } from '../auth/security.ts'
import type { Logger } from '../logger.ts'
import type { ModelInferRequestMessage, ModelInferResponseMessage } from './grpc-messages.ts'
import { admitStreamMessage, grpcCallerOf } from './grpc-security.ts'
import { toServiceError } from './grpc-status.ts'
import { decodeModelInferRequest, encodeModelInferResponse } from './grpc-tensor-codec.ts'

interface StreamResponse {
  readonly error_message?: string
  readonly infer_response?: ModelInferResponseMessage
}

export function streamInferCall(dataPlane: DataPlane, logger: Logger, security?: Security) {
  return (call: ServerDuplexStream<ModelInferRequestMessage, StreamResponse>): void => {
    const controller = new AbortController()
    let pending = 0
    let halfClosed = false
    const endIfDone = () => {
      if (halfClosed && pending === 0 && !call.cancelled) call.end()
    }
    const run = async (message: ModelInferRequestMessage): Promise<ModelInferResponseMessage> => {
      const admission = { metadata: call.metadata, request: message as unknown as Record<string, unknown> }
      const release = security ? await admitStreamMessage(admission, 'ModelInfer', security) : undefined
      try {
        const { modelName, modelVersion, request } = decodeModelInferRequest(message)
        return encodeModelInferResponse(await dataPlane.infer(modelName, modelVersion, request, controller.signal, grpcCallerOf(admission)))
      } finally {
        release?.()
      }
    }
    call.on('data', (message: ModelInferRequestMessage) => {
      pending++
      run(message)
        .then(
          (response) => ({ infer_response: response }),
          (error: unknown) => ({ error_message: toServiceError(error, logger, 'ModelStreamInfer').details }),
        )
        .then((answer: StreamResponse) => {
          pending--
          if (!call.cancelled) call.write(answer)
          endIfDone()
        })
    })
    call.on('end', () => {
      halfClosed = true
      endIfDone()
    })
    call.on('cancelled', () => controller.abort(new MaasError('CANCELLED', 'the client cancelled ModelStreamInfer')))
    call.on('error', () => undefined)
  }
}
