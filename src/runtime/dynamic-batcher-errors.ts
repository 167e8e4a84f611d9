/**
 * @module runtime/dynamic-batcher-errors
 * The errors a dynamic batcher rejects requests with. Each carries a core ErrorCode, so the
 * transports map them like any other MaasError; messages name the model, never a client.
 */
import { InvalidArgumentError, MaasError } from '../core/errors.ts'

/** The model's queue holds max_queue_size requests already. */
export class QueueFullError extends MaasError {
  constructor(modelName: string, maxQueueSize: number) {
    super('RESOURCE_EXHAUSTED', `the queue of model '${modelName}' is full (${maxQueueSize})`)
  }
}

/** A request waited in the queue longer than its timeout (timeout_action REJECT). */
export class QueueTimeoutError extends MaasError {
  constructor(modelName: string, timeoutMicros: number) {
    super('DEADLINE_EXCEEDED', `request timed out after ${timeoutMicros} µs in the queue of model '${modelName}'`)
  }
}

/** The caller aborted a request before it left the queue. */
export class RequestCancelledError extends MaasError {
  constructor(modelName: string) {
    super('CANCELLED', `request to model '${modelName}' was cancelled while queued`)
  }
}

/** The scheduler is draining before the model unloads and takes no new requests. */
export class ModelUnloadingError extends MaasError {
  constructor(modelName: string) {
    super('UNAVAILABLE', `model '${modelName}' is unloading`)
  }
}

/** A request larger than the model's max_batch_size (the data plane should have refused it). */
export class BatchTooLargeError extends InvalidArgumentError {
  constructor(modelName: string, rows: number, maxBatchSize: number) {
    super(`batch size ${rows} exceeds max_batch_size ${maxBatchSize} of model '${modelName}'`)
  }
}

/** A merged execution returned an output whose dimension 0 is not the batch, so it cannot be split. */
export class OutputNotBatchedError extends MaasError {
  constructor(modelName: string, outputName: string, rows: number | undefined, batchSize: number) {
    super(
      'INTERNAL',
      `output '${outputName}' of model '${modelName}' is not batched: its dimension 0 is ${rows ?? 'absent (scalar)'}, ` +
        `not the batch size ${batchSize}, so it cannot be split between the ${batchSize > 1 ? 'merged ' : ''}requests; ` +
        `set max_batch_size to 0 or disable dynamic_batching for this model`,
    )
  }
}
