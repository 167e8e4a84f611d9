/**
 * @module control/jobs/train-job-registration
 * Turns a finished training child's output into a registry version: the ONNX file into the
 * artifact store, a READY version with the test and final-epoch metrics, `trained` lineage
 * (hyper-parameters, dataset, job id), and the alias when the job asked for one. Idempotent
 * per job: a server that died half-way through registering finds the job's version
 * (createdBy `job:<id>`) and completes it instead of adding another.
 */
import { readFile } from 'node:fs/promises'
import type { ArtifactStore } from '../../artifacts/artifact-store.ts'
import { readOnnxSignature } from '../../onnx/onnx-signature.ts'
import type { RegistryStore } from '../../registry/registry-store.ts'
import type { EpochLogs, EvaluateResult } from '../../training/trainer/trainer.ts'
import type { TrainJobSpec } from './train-job-spec.ts'

/** What a succeeded train job reports as its result. */
export interface TrainJobResult {
  readonly model: string
  readonly version: number
  readonly alias: string | null
  readonly metrics: Readonly<Record<string, number>>
  readonly epochs: number
  /** Epochs that were already done when this (last) attempt started. */
  readonly resumedFromEpoch: number
}

export interface TrainedOutput {
  readonly onnxPath: string
  readonly history: readonly EpochLogs[]
  readonly evaluation: EvaluateResult
  readonly resumedFromEpoch: number
}

export async function registerTrainedVersion(registry: RegistryStore, artifacts: ArtifactStore, jobId: string, spec: TrainJobSpec, output: TrainedOutput, owner: string | null = null): Promise<TrainJobResult> {
  const bytes = await readFile(output.onnxPath)
  const signature = readOnnxSignature(bytes)
  const stored = await artifacts.put(bytes)
  const metrics = metricsOf(output)
  const createdBy = `job:${jobId}`
  if (!(await registry.models.get(spec.model).then(() => true, () => false))) {
    await registry.models.create({ name: spec.model, description: `trained by maas (job ${jobId})`, task: 'image-classification', owner }).catch(async (error: unknown) => {
      // Another job created it meanwhile: fine.
      await registry.models.get(spec.model).catch(() => Promise.reject(error))
    })
  }
  const all = await registry.versions.list(spec.model, { statuses: ['REGISTERING', 'READY', 'FAILED', 'ARCHIVED'] })
  let version = all.find((candidate) => candidate.createdBy === createdBy && candidate.status !== 'FAILED')
  version ??= await registry.versions.create(spec.model, {
    artifact: { sha256: stored.sha256, uri: stored.uri, sizeBytes: stored.sizeBytes, format: 'onnx' },
    signature,
    metrics,
    createdBy,
  })
  if (version.status === 'REGISTERING') version = await registry.versions.setStatus(spec.model, version.version, 'READY')
  const ref = { model: spec.model, version: version.version }
  if ((await registry.lineage.get(ref)) === null) {
    await registry.lineage.record(ref, {
      operation: 'trained',
      parameters: {
        job: jobId,
        ...(spec.preset ? { preset: spec.preset } : { spec: spec.spec }),
        compile: spec.compile,
        fit: spec.fit,
      },
      dataset: spec.dataset,
    })
  }
  if (spec.alias) await registry.aliases.set(spec.model, spec.alias, { version: version.version, updatedBy: createdBy })
  return { model: spec.model, version: version.version, alias: spec.alias ?? null, metrics, epochs: output.history.length, resumedFromEpoch: output.resumedFromEpoch }
}

/** test_loss, test_<metric>, and the last epoch's loss, metrics and validation numbers. */
function metricsOf(output: TrainedOutput): Record<string, number> {
  const metrics: Record<string, number> = { test_loss: output.evaluation.loss }
  for (const [name, value] of Object.entries(output.evaluation.metrics)) metrics[`test_${name}`] = value
  const last = output.history.at(-1)
  if (last) {
    metrics.loss = last.loss
    Object.assign(metrics, last.metrics)
    if (last.validation) {
      metrics.val_loss = last.validation.loss
      for (const [name, value] of Object.entries(last.validation.metrics)) metrics[`val_${name}`] = value
    }
  }
  return metrics
}
