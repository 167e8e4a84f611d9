/**
 * @module control/jobs/train-job-child
 * Entry of the child process that runs one training job (started by train-job-process.ts):
 * loads the dataset, builds the model, resumes from the newest readable checkpoint, trains
 * with Trainer on its own main thread, writes a checkpoint file every epoch, evaluates on the
 * test split and exports the ONNX model (parity-checked) to `<jobDir>/model.onnx`. It reports
 * over IPC and exits as soon as the parent's channel closes, so a server killed with -9
 * leaves no training process behind.
 */
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { toMaasError } from '../../core/errors.ts'
import type { Model } from '../../nn/model.ts'
import { loadNamedDataset } from '../../training/datasets/named-datasets.ts'
import { normalize } from '../../training/datasets/transforms.ts'
import { KerasModel } from '../../training/keras-model.ts'
import { compileModelTraining, parseCompileOptions } from '../../training/trainer/compiled-model.ts'
import { Trainer, type EpochLogs } from '../../training/trainer/trainer.ts'
import { checkpointPath, readCheckpointFile, writeCheckpointFile, type CheckpointWithHistory } from './checkpoint-file.ts'
import type { ChildJob, ChildMessage, ParentMessage } from './train-job-messages.ts'
import { buildJobModel } from './train-job-spec.ts'

const send = (message: ChildMessage): Promise<void> =>
  new Promise((resolve) => {
    if (!process.connected) return resolve()
    process.send!(message, undefined, {}, () => resolve())
  })

// The parent is gone (crashed, killed): training on would only race its successor.
process.on('disconnect', () => process.exit(70))
process.once('message', (message: ParentMessage) => {
  if (message.type !== 'start') return
  run(message.job).then(
    () => process.exit(0),
    async (error: unknown) => {
      const maasError = toMaasError(error)
      await send({ type: 'failed', code: maasError.code, message: maasError.code === 'INTERNAL' ? String((error as Error).stack ?? error) : maasError.message })
      process.exit(1)
    },
  )
})

async function run(job: ChildJob): Promise<void> {
  const { spec } = job
  await mkdir(job.jobDir, { recursive: true })
  const split = await loadNamedDataset(spec.dataset, { dataDir: job.datasetsDir, download: false })
  const [train, test] = [normalize(split.train, { scale: 1 / 255 }), normalize(split.test, { scale: 1 / 255 })]
  const model = buildJobModel(spec)
  const config = parseCompileOptions(spec.compile)
  const resume = await newestCheckpoint(job)
  const history: EpochLogs[] = [...(resume?.history.slice(0, resume.epoch) ?? [])]
  await send({ type: 'started', resumedFromEpoch: resume?.epoch ?? 0, history: [...history], trainSamples: train.count, testSamples: test.count })
  const trainer = new Trainer(model, config)
  if (resume && resume.epoch >= spec.fit.epochs) {
    restoreWeights(model, config, resume)
  } else {
    await trainer.fit(train, {
      ...spec.fit,
      ...(resume ? { checkpoint: resume } : {}),
      callbacks: {
        onProgress: (logs) => send({ type: 'progress', logs }),
        onEpochEnd: (logs) => {
          history.push(logs)
          return send({ type: 'epoch', logs })
        },
        onCheckpoint: async (checkpoint) => {
          const file = await writeCheckpointFile(checkpointPath(job.jobDir, checkpoint.epoch), { ...checkpoint, history })
          await send({ type: 'checkpoint', epoch: checkpoint.epoch, step: checkpoint.step, path: file })
          // Keep the previous one too: the registry may not have recorded this one yet.
          await rm(checkpointPath(job.jobDir, checkpoint.epoch - 2), { force: true })
        },
      },
    })
  }
  const evaluation = await trainer.evaluate(test)
  await send({ type: 'exporting' })
  const keras = new KerasModel(model).compile(spec.compile)
  const sampleSize = test.x.length / test.count
  const onnx = await keras.toOnnx({
    ...(test.labels ? { labels: test.labels } : {}),
    metadata: { producer: 'maas job', 'maas.job': job.id },
    check: test.x.subarray(0, Math.min(8, test.count) * sampleSize),
  })
  const onnxPath = path.join(job.jobDir, 'model.onnx')
  await writeFile(`${onnxPath}.tmp`, onnx)
  await rename(`${onnxPath}.tmp`, onnxPath)
  await send({ type: 'done', history, evaluation, onnxPath })
}

/** The recorded checkpoint, or a newer one the parent had no time to record; unreadable ones are skipped. */
async function newestCheckpoint(job: ChildJob): Promise<CheckpointWithHistory | undefined> {
  const files = (await readdir(job.jobDir).catch(() => [] as string[]))
    .map((name) => /^checkpoint-(\d+)\.bin$/.exec(name))
    .filter((match) => match !== null)
    .sort((a, b) => Number(b[1]) - Number(a[1]))
    .map((match) => path.join(job.jobDir, match[0]))
  for (const file of [...files, ...(job.checkpoint ? [job.checkpoint] : [])]) {
    try {
      return await readCheckpointFile(file)
    } catch {
      // torn or foreign: try the next older one
    }
  }
  return undefined
}

/** All epochs were done before the crash: put the checkpoint's weights into the model directly. */
function restoreWeights(model: Model, config: ReturnType<typeof parseCompileOptions>, checkpoint: CheckpointWithHistory): void {
  const { weights } = compileModelTraining(model, config)
  for (const [value, weight] of weights) {
    const data = checkpoint.values.get(value)
    if (data) model.setWeight(weight, Float32Array.from(data))
  }
}
