/**
 * @module control/registry-model-source
 * The ModelSource of a server backed by the registry: the models it holds, their READY
 * versions (files from the artifact store, checksums verified before loading), their serving
 * configuration and their aliases as version labels. A Triton-layout folder, when configured,
 * is re-imported model by model on every read, so Triton's repository workflow (edit the
 * folder, POST load) keeps working on top of the registry.
 */
import path from 'node:path'
import type { ArtifactStore } from '../artifacts/artifact-store.ts'
import type { RegistryStore } from '../registry/registry-store.ts'
import { DEFAULT_MODEL_CONFIG, parseModelConfig, type ModelConfig, type VersionLabel } from '../runtime/model-config.ts'
import type { ModelRepository } from '../runtime/model-repository.ts'
import type { ModelSource, SourceModel } from '../runtime/model-source.ts'
import { importRepositoryModel } from './repository-import.ts'

interface RegistrySourceModel extends SourceModel {
  readonly files: ReadonlyMap<number, string>
}

export interface RegistryModelSourceOptions {
  readonly registry: RegistryStore
  readonly artifacts: ArtifactStore
  /** Triton-layout folder to import from, if any. */
  readonly folder?: ModelRepository
  /** Per-model folders for warm-up sample files: `<root>/<model>/warmup/`. */
  readonly modelFilesRoot: string
  readonly onImportProblem?: (model: string, problem: string) => void
}

export class RegistryModelSource implements ModelSource {
  readonly #options: RegistryModelSourceOptions

  constructor(options: RegistryModelSourceOptions) {
    this.#options = options
  }

  async list(): Promise<string[]> {
    const names = new Set<string>()
    for (let after: string | undefined; ; ) {
      const page = await this.#options.registry.models.list({ ...(after ? { after } : {}), limit: 500 })
      for (const model of page) names.add(model.name)
      if (page.length < 500) break
      after = page.at(-1)!.name
    }
    for (const name of (await this.#options.folder?.list()) ?? []) names.add(name)
    return [...names].sort()
  }

  async read(name: string): Promise<SourceModel | undefined> {
    const { registry, artifacts, folder } = this.#options
    let importError: string | undefined
    let directory = this.#directoryOf(name)
    if (folder) {
      try {
        const result = await importRepositoryModel(name, folder, registry, artifacts)
        // Warm-up sample files of a folder model stay in its folder.
        if (result) directory = path.join(folder.root, name)
        for (const { reason } of result?.skipped ?? []) this.#options.onImportProblem?.(name, reason)
      } catch (error) {
        importError = (error as Error).message
        directory = path.join(folder.root, name)
      }
    }
    const model = await registry.models.get(name).catch(() => undefined)
    if (!model) {
      if (importError === undefined) return undefined
      const failed: RegistrySourceModel = { name, versions: [], config: DEFAULT_MODEL_CONFIG, configError: importError, directory, files: new Map() }
      return failed
    }
    let config: ModelConfig = DEFAULT_MODEL_CONFIG
    let configError = importError
    try {
      config = parseModelConfig(JSON.stringify(model.servingConfig ?? {}))
    } catch (error) {
      configError ??= (error as Error).message
    }
    const labels: Record<string, VersionLabel> = { ...config.versionLabels }
    for (const alias of await registry.aliases.list(name)) {
      labels[alias.name] = { version: alias.version, ...(alias.canary ? { canary: { version: alias.canary.version, weight: alias.canary.weight } } : {}) }
    }
    // Only the versions the policy and the labels will serve are hashed (a verify reads the
    // whole file); a corrupt one is skipped, so `latest` falls back to the next version.
    const labelled = new Set(Object.values(labels).flatMap((label) => [label.version, ...(label.canary ? [label.canary.version] : [])]))
    const policy = config.versionPolicy
    const versions = (await registry.versions.list(name, { statuses: ['READY'] }))
      .filter((version) => version.artifact !== null)
      .sort((a, b) => b.version - a.version)
    const files = new Map<number, string>()
    let latest = 0
    for (const version of versions) {
      const byPolicy = policy.kind === 'all' || (policy.kind === 'specific' && policy.versions.includes(version.version)) || (policy.kind === 'latest' && latest < policy.count)
      if (!byPolicy && !labelled.has(version.version)) continue
      const sha256 = version.artifact!.sha256
      try {
        await artifacts.verify(sha256)
        files.set(version.version, artifacts.path!(sha256))
        if (byPolicy) latest++
      } catch (error) {
        this.#options.onImportProblem?.(name, `version ${version.version}: ${(error as Error).message}`)
      }
    }
    const source: RegistrySourceModel = {
      name,
      versions: [...files.keys()].sort((a, b) => b - a),
      config: { ...config, versionLabels: labels },
      ...(configError !== undefined ? { configError } : {}),
      directory,
      files,
    }
    return source
  }

  modelPath(model: SourceModel, version: number): string {
    const file = (model as RegistrySourceModel).files.get(version)
    if (!file) throw new Error(`version ${version} of model '${model.name}' has no verified artifact`)
    return file
  }

  #directoryOf(name: string): string {
    return path.join(this.#options.modelFilesRoot, name)
  }
}
