/**
 * @module control/model-service-upload
 * One upload, start to READY: stream the bytes into the artifact store (size-limited), parse
 * the ONNX signature, register a REGISTERING version with its lineage, prove it serves (load
 * into ORT and warm up, with the model's serving config, then release), attach the artifact
 * and mark it READY. Nothing is visible before READY.
 *
 * Failure policy: bytes that are not an ONNX model (garbage, truncated, too large) leave
 * nothing behind: no version, no artifact. A well-formed file that fails to load or warm up
 * leaves a FAILED version with the reason, as a record of the attempt, but no artifact: the
 * file is deleted unless another version uses the same bytes.
 */
import path from 'node:path'
import type { ArtifactBody, ArtifactStore, StoredArtifact } from '../artifacts/artifact-store.ts'
import { InvalidArgumentError, MaasError } from '../core/errors.ts'
import { readOnnxSignature, type ModelSignature } from '../onnx/onnx-signature.ts'
import type { ModelRecord } from '../registry/model-store.ts'
import type { RegistryStore } from '../registry/registry-store.ts'
import type { VersionRecord } from '../registry/version-store.ts'
import type { Engine, EngineOptions } from '../runtime/engine.ts'
import { parseModelConfig, type ModelConfig } from '../runtime/model-config.ts'
import { loadVersion } from '../runtime/version-loader.ts'
import type { UploadMetadata } from './model-service-input.ts'

export interface UploadContext {
  readonly registry: RegistryStore
  readonly artifacts: ArtifactStore
  readonly engine: Engine
  readonly engineDefaults: EngineOptions
  /** Per-model folders for warm-up sample files, as the serving side uses them. */
  readonly modelFilesRoot: string
  readonly maxUploadBytes: number
}

/** Registers `body` as the next version of `model`; throws (after cleaning up) when it cannot become READY. */
export async function registerUpload(context: UploadContext, model: ModelRecord, body: ArtifactBody, metadata: UploadMetadata, actor: string): Promise<VersionRecord> {
  const { registry, artifacts } = context
  const config = servingConfigOf(model)
  const stored = await artifacts.put(body, { maxBytes: context.maxUploadBytes })
  let signature: ModelSignature
  try {
    if (stored.sizeBytes === 0) throw new InvalidArgumentError('the upload is empty; send the ONNX file as the body')
    signature = readOnnxSignature(await artifacts.get(stored.sha256))
  } catch (error) {
    await discardArtifact(context, stored.sha256)
    throw error
  }
  let version: VersionRecord
  try {
    version = await registry.versions.create(model.name, { createdBy: actor, ...(metadata.metrics ? { metrics: metadata.metrics } : {}) })
  } catch (error) {
    await discardArtifact(context, stored.sha256)
    throw error
  }
  const ref = { model: model.name, version: version.version }
  try {
    await registry.lineage.record(ref, {
      operation: metadata.operation ?? 'uploaded',
      parameters: { ...metadata.parameters, ...(metadata.description !== undefined ? { description: metadata.description } : {}) },
      dataset: metadata.dataset ?? null,
      parents: metadata.parents ?? [],
    })
  } catch (error) {
    await registry.versions.delete(model.name, version.version).catch(() => undefined)
    await discardArtifact(context, stored.sha256)
    throw error
  }
  try {
    await proveServes(context, model.name, version.version, stored, config)
  } catch (error) {
    const reason = (error as Error).message
    await registry.versions.setStatus(model.name, version.version, 'FAILED', reason).catch(() => undefined)
    await discardArtifact(context, stored.sha256)
    throw new InvalidArgumentError(`version ${version.version} of model '${model.name}' failed to load and is FAILED: ${reason}`, { cause: error })
  }
  try {
    await registry.versions.update(model.name, version.version, {
      artifact: { sha256: stored.sha256, uri: stored.uri, sizeBytes: stored.sizeBytes, format: 'onnx' },
      signature,
    })
    return await registry.versions.setStatus(model.name, version.version, 'READY')
  } catch (error) {
    await registry.versions.setStatus(model.name, version.version, 'FAILED', (error as Error).message).catch(() => undefined)
    throw error
  }
}

/** The model's serving configuration as the serving side will read it. */
function servingConfigOf(model: ModelRecord): ModelConfig {
  try {
    return parseModelConfig(JSON.stringify(model.servingConfig ?? {}))
  } catch (error) {
    throw new MaasError('FAILED_PRECONDITION', `model '${model.name}' has an unusable servingConfig (${(error as Error).message}); fix it with PATCH first`)
  }
}

/** Load → warm up → release, exactly as the serving side will load the version. */
async function proveServes(context: UploadContext, model: string, version: number, stored: StoredArtifact, config: ModelConfig): Promise<void> {
  if (!context.artifacts.path) throw new MaasError('INTERNAL', 'the artifact store has no local paths; uploads cannot be checked')
  const served = await loadVersion({
    modelName: model,
    version,
    modelPath: context.artifacts.path(stored.sha256),
    modelDirectory: path.join(context.modelFilesRoot, model),
    config,
    engineOptions: { ...context.engineDefaults, ...config.engine },
    engine: context.engine,
  })
  await served.retire()
}

/** Deletes an artifact unless some version refers to it (identical bytes uploaded before). */
export async function discardArtifact(context: Pick<UploadContext, 'registry' | 'artifacts'>, sha256: string): Promise<void> {
  try {
    if (!(await context.registry.versions.referencedArtifacts()).has(sha256)) await context.artifacts.delete(sha256)
  } catch {
    // Best effort: the artifact store's garbage collection removes what stays unreferenced.
  }
}
