/**
 * @module control/bootstrap
 * The embedded default: on a server where maas has trained nothing yet, the seed recipe (the
 * MLP of the Keras quick start) is trained on the bundled MNIST digits as an ordinary job and
 * registered as `mnist` with the alias `production`, which then serves. "Nothing trained yet"
 * means: no model called `mnist` and no train job ever queued, so the demo folder that `npm
 * start` imports does not count, and a later start never trains it again (even after the
 * model was deleted on purpose).
 */
import type { RegistryStore } from '../registry/registry-store.ts'
import { TRAIN_JOB_KIND } from './jobs/job-runner.ts'
import type { JobService } from './jobs/job-service.ts'
import type { JobView } from './jobs/job-view.ts'
import type { JobLogger } from './jobs/train-job-execution.ts'

/** The job the bootstrap submits: about 1.5 s of training on one core, test accuracy ≈ 0.94. */
export const BOOTSTRAP_JOB = Object.freeze({
  model: 'mnist',
  preset: 'seed-mlp',
  dataset: 'mnist-small',
  compile: { optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] },
  fit: { epochs: 5, batchSize: 32, seed: 1 },
  alias: 'production',
})

export interface BootstrapOptions {
  readonly registry: RegistryStore
  readonly jobs: JobService
  readonly logger: JobLogger
}

/** True when maas has trained nothing here: no `mnist` model and no train job, in any state. */
export async function needsBootstrap(registry: RegistryStore): Promise<boolean> {
  const hasModel = await registry.models.get(BOOTSTRAP_JOB.model).then(() => true, () => false)
  if (hasModel) return false
  return (await registry.jobs.list({ kind: TRAIN_JOB_KIND, limit: 1 })).length === 0
}

/** Queues the bootstrap job when needed; returns it, or undefined when there was nothing to do. */
export async function runBootstrap({ registry, jobs, logger }: BootstrapOptions): Promise<JobView | undefined> {
  if (!(await needsBootstrap(registry))) return undefined
  const job = await jobs.submit(BOOTSTRAP_JOB)
  // The demo model is for everyone with a key: public, unlike models trained on request.
  await registry.models.create({ name: BOOTSTRAP_JOB.model, description: `the seed MLP trained on ${BOOTSTRAP_JOB.dataset} by maas on first start`, task: 'image-classification', visibility: 'public' })
  logger.info(
    { job: job.id, model: BOOTSTRAP_JOB.model, alias: BOOTSTRAP_JOB.alias, dataset: BOOTSTRAP_JOB.dataset, epochs: BOOTSTRAP_JOB.fit.epochs },
    `bootstrap: nothing trained yet; training the seed MLP on ${BOOTSTRAP_JOB.dataset} (${BOOTSTRAP_JOB.fit.epochs} epochs) as job ${job.id}, to serve as ${BOOTSTRAP_JOB.model}@${BOOTSTRAP_JOB.alias} (MAAS_BOOTSTRAP=off to skip)`,
  )
  return job
}
