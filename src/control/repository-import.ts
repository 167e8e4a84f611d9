/**
 * @module control/repository-import
 * Imports a model of a Triton-layout folder into the registry, idempotently: the model (with
 * its config.json as serving configuration), each version folder's model.onnx as an artifact
 * and a READY version with the same number and `uploaded` lineage, and version_labels as
 * aliases. A version already registered with the same file is left alone; one registered
 * with a different file is never overwritten.
 */
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import type { ArtifactStore } from '../artifacts/artifact-store.ts'
import { readOnnxSignature } from '../onnx/onnx-signature.ts'
import type { RegistryStore } from '../registry/registry-store.ts'
import { MODEL_FILE_NAME, type ModelRepository } from '../runtime/model-repository.ts'

export interface ImportResult {
  readonly model: string
  readonly imported: readonly number[]
  readonly skipped: readonly { readonly version: number; readonly reason: string }[]
}

/** Thrown when a folder model cannot be imported at all (bad config.json, unreadable ONNX). */
export class RepositoryImportError extends Error {}

export async function importRepositoryModel(
  name: string,
  folder: ModelRepository,
  registry: RegistryStore,
  artifacts: ArtifactStore,
): Promise<ImportResult | undefined> {
  const model = await folder.read(name)
  if (!model) return undefined
  if (model.configError) throw new RepositoryImportError(model.configError)
  const servingConfig = await readServingConfig(model.directory)
  const existing = await registry.models.get(name).catch(() => undefined)
  if (!existing) {
    await registry.models.create({ name, description: `imported from ${model.directory}`, visibility: 'public', servingConfig })
  } else if (JSON.stringify(existing.servingConfig) !== JSON.stringify(servingConfig)) {
    await registry.models.update(name, { servingConfig })
  }
  const registered = new Map((await registry.versions.list(name, { statuses: ['REGISTERING', 'READY', 'FAILED', 'ARCHIVED'] })).map((version) => [version.version, version]))
  const imported: number[] = []
  const skipped: { version: number; reason: string }[] = []
  for (const version of [...model.versions].sort((a, b) => a - b)) {
    const file = path.join(model.directory, String(version), MODEL_FILE_NAME)
    const bytes = await readFile(file)
    const known = registered.get(version)
    if (known) {
      if (known.artifact?.sha256 !== undefined && known.status === 'READY') {
        const stored = await artifacts.put(bytes)
        if (stored.sha256 !== known.artifact.sha256) skipped.push({ version, reason: `version ${version} is registered with another file; the folder's ${file} is not imported` })
      }
      continue
    }
    let signature
    try {
      signature = readOnnxSignature(bytes)
    } catch (error) {
      throw new RepositoryImportError(`version ${version}: ${(error as Error).message}`)
    }
    const stored = await artifacts.put(bytes)
    try {
      await registry.versions.create(name, { number: version, artifact: { sha256: stored.sha256, uri: stored.uri, sizeBytes: stored.sizeBytes, format: 'onnx' }, signature, createdBy: 'repository-import' })
    } catch (error) {
      skipped.push({ version, reason: (error as Error).message })
      continue
    }
    await registry.versions.setStatus(name, version, 'READY')
    await registry.lineage.record({ model: name, version }, { operation: 'uploaded', parameters: { source: file } })
    imported.push(version)
  }
  await importLabels(name, servingConfig, registry)
  return { model: name, imported, skipped }
}

/** config.json as an object (its version_labels become aliases); null when there is none. */
async function readServingConfig(directory: string): Promise<Record<string, unknown> | null> {
  try {
    return JSON.parse(await readFile(path.join(directory, 'config.json'), 'utf8')) as Record<string, unknown>
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw new RepositoryImportError(`config.json: ${(error as Error).message}`)
  }
}

/**
 * Mirrors config.json's version_labels into the model's aliases: for a folder model the
 * folder is the authority. A label the registry cannot take (bad name, missing version) gets
 * no alias; the config check at load time then reports it.
 */
async function importLabels(name: string, config: Record<string, unknown> | null, registry: RegistryStore): Promise<void> {
  const labels = (config?.version_labels ?? {}) as Record<string, number | { version: number; canary_version: number; canary_weight: number }>
  const wanted = new Set(Object.keys(labels))
  for (const alias of await registry.aliases.list(name)) {
    if (!wanted.has(alias.name)) await registry.aliases.delete(name, alias.name)
  }
  for (const [label, target] of Object.entries(labels)) {
    const alias = typeof target === 'number' ? { version: target } : { version: target.version, canary: { version: target.canary_version, weight: target.canary_weight } }
    try {
      await registry.aliases.set(name, label, { ...alias, updatedBy: 'repository-import' })
    } catch {
      await registry.aliases.delete(name, label).catch(() => undefined)
    }
  }
}
