/**
 * @module training/trainer/training-worker
 * Worker-thread entry that runs Trainer.fit, so `session.run` blocks this thread and not the
 * caller's event loop. Rebuilds the model from its spec and weights, trains, and reports
 * progress, epochs, checkpoints and the final weights to the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { toMaasError } from '../../core/errors.ts'
import { modelFromSpec } from '../../nn/model-spec.ts'
import { parseCompileOptions } from './compiled-model.ts'
import { Trainer } from './trainer.ts'
import type { FitJob, FitMessage } from './fit-job.ts'

const job = workerData as FitJob
const port = parentPort!
const post = (message: FitMessage) => port.postMessage(message)

try {
  const model = modelFromSpec(job.spec)
  for (const [name, data] of job.weights) model.setWeight(name, data)
  const trainer = new Trainer(model, parseCompileOptions(job.compile))
  const history = await trainer.fit(job.train, {
    ...job.options,
    ...(job.validation ? { validationData: job.validation } : {}),
    ...(job.checkpoint ? { checkpoint: { ...job.checkpoint, values: new Map(job.checkpoint.values) } } : {}),
    callbacks: {
      onProgress: (logs) => post({ type: 'progress', logs }),
      onEpochEnd: (logs) => post({ type: 'epoch', logs }),
      onCheckpoint: (checkpoint) =>
        post({ type: 'checkpoint', checkpoint: { epoch: checkpoint.epoch, step: checkpoint.step, values: [...checkpoint.values] } }),
    },
  })
  post({ type: 'done', history, weights: model.weights.map((weight) => [weight.name, model.getWeight(weight.name)] as [string, Float32Array]) })
} catch (error) {
  const maasError = toMaasError(error)
  post({ type: 'error', code: maasError.code, message: maasError.code === 'INTERNAL' ? String((error as Error).stack ?? error) : maasError.message })
}
