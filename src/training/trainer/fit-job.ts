/**
 * @module training/trainer/fit-job
 * Runs Trainer.fit in a worker thread (training-worker.ts) and relays its events to callbacks
 * on the calling thread. The model is sent as its spec and weights, and gets the trained
 * weights back when the job is done.
 */
import { MaasError, type ErrorCode } from '../../core/errors.ts'
import type { Model } from '../../nn/model.ts'
import type { ModelSpec } from '../../nn/model-spec-writer.ts'
import { startTypeScriptWorker } from '../../runtime/typescript-worker.ts'
import type { Dataset } from '../datasets/dataset.ts'
import type { CompileOptions } from './compiled-model.ts'
import type { Checkpoint, EpochLogs, FitCallbacks, FitOptions, History, ProgressLogs } from './trainer.ts'

/** A checkpoint in a form that crosses threads and files (values as pairs). */
export interface PortableCheckpoint {
  readonly epoch: number
  readonly step: number
  readonly values: readonly (readonly [string, Float32Array])[]
}

export interface FitJob {
  readonly spec: ModelSpec
  readonly weights: readonly (readonly [string, Float32Array])[]
  readonly compile: CompileOptions
  readonly train: Dataset
  readonly validation?: Dataset
  readonly options: Omit<FitOptions, 'callbacks' | 'checkpoint' | 'validationData'>
  readonly checkpoint?: PortableCheckpoint
}

export type FitMessage =
  | { readonly type: 'progress'; readonly logs: ProgressLogs }
  | { readonly type: 'epoch'; readonly logs: EpochLogs }
  | { readonly type: 'checkpoint'; readonly checkpoint: PortableCheckpoint }
  | { readonly type: 'done'; readonly history: History; readonly weights: readonly (readonly [string, Float32Array])[] }
  | { readonly type: 'error'; readonly code: string; readonly message: string }

const WORKER_ENTRY = new URL('./training-worker.ts', import.meta.url)

/** Trains `model` off the calling thread; resolves with the history once the model holds the trained weights. */
export function fitInWorker(
  model: Model,
  compile: CompileOptions,
  train: Dataset,
  options: FitOptions = {},
): Promise<History> {
  const { callbacks, checkpoint, validationData, ...rest } = options
  const job: FitJob = {
    spec: model.toSpec(),
    weights: model.weights.map((weight) => [weight.name, model.getWeight(weight.name)] as const),
    compile,
    train,
    ...(validationData ? { validation: validationData } : {}),
    options: rest,
    ...(checkpoint ? { checkpoint: toPortable(checkpoint) } : {}),
  }
  const worker = startTypeScriptWorker(WORKER_ENTRY, { workerData: job })
  return new Promise((resolve, reject) => {
    let settled = false
    const finish = (action: () => void) => {
      if (settled) return
      settled = true
      action()
      void worker.terminate()
    }
    worker.on('message', (message: FitMessage) => void relay(message, callbacks).then(() => {
      if (message.type === 'done') {
        for (const [name, data] of message.weights) model.setWeight(name, data)
        finish(() => resolve(message.history))
      } else if (message.type === 'error') {
        finish(() => reject(new MaasError(message.code as ErrorCode, message.message)))
      }
    }, (error: unknown) => finish(() => reject(error))))
    worker.once('error', (error) => finish(() => reject(new MaasError('INTERNAL', 'the training worker failed', { cause: error }))))
    worker.once('exit', (code) => finish(() => reject(new MaasError('INTERNAL', `the training worker exited (code ${code}) before it finished`))))
  })
}

async function relay(message: FitMessage, callbacks: FitCallbacks | undefined): Promise<void> {
  if (message.type === 'progress') await callbacks?.onProgress?.(message.logs)
  else if (message.type === 'epoch') await callbacks?.onEpochEnd?.(message.logs)
  else if (message.type === 'checkpoint') await callbacks?.onCheckpoint?.({ ...message.checkpoint, values: new Map(message.checkpoint.values) })
}

export function toPortable(checkpoint: Checkpoint): PortableCheckpoint {
  return { epoch: checkpoint.epoch, step: checkpoint.step, values: [...checkpoint.values] }
}
