/**
 * @module runtime/dynamic-batcher-merge
 * Turns the requests of one batch into the single request an instance executes, and its
 * outputs back into each request's rows. A lone request passes through uncopied, since
 * copying buys nothing when there is nothing to split.
 */
import type { Tensor } from '../core/tensor.ts'
import { concatAlongBatch, splitAlongBatch } from './batch-tensors.ts'
import { OutputNotBatchedError } from './dynamic-batcher-errors.ts'
import type { ExecuteRequest } from './engine.ts'

/**
 * One request for the executor: a lone request's tensors as they are, several stacked on
 * dimension 0. The requests must be mergeable (see areMergeable): same inputs in the same
 * order and the same requested outputs.
 */
export function mergeRequests(requests: readonly ExecuteRequest[]): ExecuteRequest {
  const head = requests[0]
  if (head === undefined) throw new RangeError('an empty batch cannot run')
  if (requests.length === 1) return { inputs: head.inputs, outputs: head.outputs }
  return {
    inputs: head.inputs.map((_, index) => concatAlongBatch(requests.map((request) => request.inputs[index] as Tensor))),
    outputs: head.outputs,
  }
}

/**
 * Each request's rows of every output, in the executor's output order; `rows[i]` is request
 * i's dimension 0. Throws OutputNotBatchedError when an output's dimension 0 is not the batch
 * size (an output computed over the whole batch, e.g. a reduction, belongs to no one request).
 */
export function splitOutputs(modelName: string, outputs: readonly Tensor[], rows: readonly number[]): Tensor[][] {
  const batchSize = rows.reduce((sum, count) => sum + count, 0)
  const perRequest: Tensor[][] = rows.map(() => [])
  for (const output of outputs) {
    if (output.shape[0] !== batchSize) throw new OutputNotBatchedError(modelName, output.name, output.shape[0], batchSize)
    splitAlongBatch(output, rows).forEach((piece, position) => perRequest[position]?.push(piece))
  }
  return perRequest
}
