/**
 * @module control/model-service
 * Model management, transport-neutral: models, uploads, versions, aliases, lineage and cards
 * in the registry, kept in step with what the serving side runs. Every write that changes
 * what serves (upload, alias, archive, delete, servingConfig) ends with a reload of the model
 * (load → warm up → switch → drain, see runtime/model-manager), serialised per model; a
 * reload that fails undoes the registry write, so the registry never points at something
 * the server refused. Every action is written to the audit log with its actor.
 */
import type { ArtifactBody, ArtifactStore } from '../artifacts/artifact-store.ts'
import { MaasError, ModelNotFoundError } from '../core/errors.ts'
import type { AliasRecord } from '../registry/alias-store.ts'
import { AliasNotFoundError, RegistryPreconditionError } from '../registry/registry-errors.ts'
import type { ModelCard } from '../registry/card-store.ts'
import type { ModelFilter, ModelPatch, ModelRecord, NewModel } from '../registry/model-store.ts'
import { assertAliasName } from '../registry/registry-names.ts'
import type { RegistryStore } from '../registry/registry-store.ts'
import type { VersionRecord, VersionStatus } from '../registry/version-store.ts'
import type { Engine, EngineOptions } from '../runtime/engine.ts'
import type { AliasRequest, UploadMetadata } from './model-service-input.ts'
import { buildLineageGraph, type LineageGraph } from './model-service-lineage.ts'
import { discardArtifact, registerUpload, type UploadContext } from './model-service-upload.ts'

/** The serving side as the control plane drives it (DataPlane satisfies it). */
export interface ServingControl {
  /** (Re)loads a model from the registry with zero downtime; throws when it cannot. */
  loadModel(name: string): Promise<void>
  unloadModel(name: string): Promise<void>
}

export interface ModelServiceOptions {
  readonly registry: RegistryStore
  readonly artifacts: ArtifactStore
  readonly serving: ServingControl
  readonly engine: Engine
  readonly engineDefaults: EngineOptions
  readonly modelFilesRoot: string
  /** Largest upload accepted, in bytes (PAYLOAD_TOO_LARGE above it). */
  readonly maxUploadBytes: number
  readonly logger?: { warn(details: object, message: string): void }
}

/** A model with its versions and aliases, as `GET model` shows it. */
export interface ModelDetails extends ModelRecord {
  readonly versions: readonly { readonly version: number; readonly status: VersionStatus }[]
  readonly aliases: readonly AliasRecord[]
}

/** A version with the aliases that point at it. */
export interface VersionDetails extends VersionRecord {
  readonly aliases: readonly string[]
}

const ANONYMOUS = 'anonymous'
const ALL_STATUSES: readonly VersionStatus[] = ['READY', 'FAILED', 'ARCHIVED']

export class ModelService {
  readonly #options: ModelServiceOptions
  readonly #registry: RegistryStore
  readonly #locks = new Map<string, Promise<unknown>>()

  constructor(options: ModelServiceOptions) {
    this.#options = options
    this.#registry = options.registry
  }

  /** Largest upload accepted, in bytes; front ends may refuse a larger declared length early. */
  get maxUploadBytes(): number {
    return this.#options.maxUploadBytes
  }

  // ---- models

  createModel(model: NewModel, actor = ANONYMOUS): Promise<ModelRecord> {
    return this.#audited(actor, 'model.create', `model:${model.name}`, () => this.#registry.models.create({ ...model, owner: actor }))
  }

  listModels(filter: ModelFilter = {}): Promise<ModelRecord[]> {
    return this.#registry.models.list(filter)
  }

  async getModel(name: string): Promise<ModelDetails> {
    const model = await this.#registry.models.get(name)
    const versions = await this.#registry.versions.list(name, { statuses: ALL_STATUSES })
    return { ...model, versions: versions.map(({ version, status }) => ({ version, status })), aliases: await this.#registry.aliases.list(name) }
  }

  /** A changed servingConfig reloads the model; if the reload fails the old config is restored. */
  updateModel(name: string, patch: ModelPatch, actor = ANONYMOUS): Promise<ModelRecord> {
    return this.#audited(actor, 'model.update', `model:${name}`, () => this.#serialise(name, async () => {
      const before = await this.#registry.models.get(name)
      const updated = await this.#registry.models.update(name, patch)
      if (patch.servingConfig === undefined) return updated
      await this.#reloadOrUndo(name, async () => void (await this.#registry.models.update(name, { servingConfig: before.servingConfig })))
      return updated
    }), { patch })
  }

  /** Refused (FAILED_PRECONDITION) while the model has aliases; stops serving it and drops its unshared files. */
  deleteModel(name: string, actor = ANONYMOUS): Promise<void> {
    return this.#audited(actor, 'model.delete', `model:${name}`, () => this.#serialise(name, async () => {
      const versions = await this.#registry.versions.list(name, { statuses: ['REGISTERING', ...ALL_STATUSES] })
      await this.#registry.models.delete(name)
      await this.#options.serving.unloadModel(name).catch(() => undefined)
      for (const version of versions) if (version.artifact) await discardArtifact(this.#options, version.artifact.sha256)
    }))
  }

  // ---- versions

  /**
   * Streams `body` in as the next version (see control/model-service-upload), then reloads
   * the model so the version serves per the version policy, and points `metadata.alias` at
   * it when given. A version the serving side then still refuses is archived with the reason.
   */
  uploadVersion(name: string, body: ArtifactBody, metadata: UploadMetadata = {}, actor = ANONYMOUS): Promise<VersionRecord> {
    return this.#audited(actor, 'version.upload', `model:${name}`, async () => {
      const model = await this.#registry.models.get(name)
      for (const parent of metadata.parents ?? []) await this.#registry.versions.get(parent.model, parent.version)
      const version = await registerUpload(this.#uploadContext(), model, body, metadata, actor)
      await this.#serialise(name, async () => {
        try {
          await this.#reload(name)
        } catch (error) {
          const reason = `the server could not load it: ${(error as Error).message}`
          await this.#registry.versions.setStatus(name, version.version, 'ARCHIVED', reason)
          await this.#reload(name).catch(() => undefined)
          if (!(error instanceof MaasError)) throw error
          throw new MaasError(error.code, `version ${version.version} of model '${name}' is ARCHIVED: ${reason}`, { cause: error })
        }
      })
      if (metadata.alias !== undefined) await this.setAlias(name, metadata.alias, { version: version.version }, actor)
      return this.#registry.versions.get(name, version.version)
    }, { metadata })
  }

  listVersions(name: string, statuses: readonly VersionStatus[] = ALL_STATUSES): Promise<VersionRecord[]> {
    return this.#registry.versions.list(name, { statuses })
  }

  async getVersion(name: string, version: number): Promise<VersionDetails> {
    const record = await this.#registry.versions.get(name, version)
    const aliases = await this.#registry.aliases.listForVersion(name, version)
    return { ...record, aliases: aliases.map((alias) => alias.name) }
  }

  /** New metrics (re-evaluation), and/or ARCHIVED ⇄ READY, which reloads the model. */
  updateVersion(name: string, version: number, patch: { metrics?: Record<string, number>; status?: 'READY' | 'ARCHIVED' }, actor = ANONYMOUS): Promise<VersionRecord> {
    return this.#audited(actor, 'version.update', `model:${name}/${version}`, () => this.#serialise(name, async () => {
      let record = await this.#registry.versions.get(name, version)
      if (patch.metrics !== undefined) record = await this.#registry.versions.update(name, version, { metrics: patch.metrics })
      if (patch.status !== undefined && patch.status !== record.status) {
        const previous = record.status
        record = await this.#registry.versions.setStatus(name, version, patch.status)
        await this.#reloadOrUndo(name, async () => void (await this.#registry.versions.setStatus(name, version, previous)))
      }
      return record
    }), { patch })
  }

  /** Refused (FAILED_PRECONDITION) while an alias points at it; it stops serving after its requests finish. */
  deleteVersion(name: string, version: number, actor = ANONYMOUS): Promise<void> {
    return this.#audited(actor, 'version.delete', `model:${name}/${version}`, () => this.#serialise(name, async () => {
      const record = await this.#registry.versions.get(name, version)
      await this.#registry.versions.delete(name, version)
      if (record.status === 'READY') await this.#reload(name).catch((error: Error) => this.#options.logger?.warn({ model: name, reason: error.message }, 'reload after version delete failed'))
      if (record.artifact) await discardArtifact(this.#options, record.artifact.sha256)
    }))
  }

  // ---- aliases

  listAliases(name: string): Promise<AliasRecord[]> {
    return this.#registry.models.get(name).then(() => this.#registry.aliases.list(name))
  }

  async getAlias(name: string, alias: string): Promise<AliasRecord> {
    return this.#registry.aliases.get(name, alias)
  }

  /**
   * Creates or moves an alias, then reloads the model: the new target is loaded and warmed up
   * before requests switch to it, and the old one drains. If the reload fails the previous
   * alias is restored and the error returned; the old target keeps serving throughout.
   */
  setAlias(name: string, alias: string, target: AliasRequest, actor = ANONYMOUS): Promise<AliasRecord> {
    return this.#audited(actor, 'alias.set', `model:${name}@${alias}`, () => this.#serialise(name, async () => {
      assertAliasName(alias)
      for (const version of [target.version, ...(target.canary ? [target.canary.version] : [])]) {
        const record = await this.#registry.versions.get(name, version)
        if (record.status !== 'READY') throw new RegistryPreconditionError(`version ${version} of model '${name}' is ${record.status}; an alias can point only at a READY version`)
      }
      const previous = await this.#registry.aliases.get(name, alias).catch((error: unknown) => {
        if (error instanceof AliasNotFoundError) return undefined
        throw error
      })
      const record = await this.#registry.aliases.set(name, alias, { ...target, updatedBy: actor })
      await this.#reloadOrUndo(name, async () => {
        if (previous) await this.#registry.aliases.set(name, alias, { version: previous.version, canary: previous.canary, updatedBy: previous.updatedBy })
        else await this.#registry.aliases.delete(name, alias)
      })
      return record
    }), { target })
  }

  deleteAlias(name: string, alias: string, actor = ANONYMOUS): Promise<void> {
    return this.#audited(actor, 'alias.delete', `model:${name}@${alias}`, () => this.#serialise(name, async () => {
      const previous = await this.#registry.aliases.get(name, alias)
      await this.#registry.aliases.delete(name, alias)
      await this.#reloadOrUndo(name, async () => void (await this.#registry.aliases.set(name, alias, { version: previous.version, canary: previous.canary, updatedBy: previous.updatedBy })))
    }))
  }

  // ---- lineage and cards

  lineage(name: string): Promise<LineageGraph> {
    return buildLineageGraph(this.#registry, name)
  }

  async getCard(name: string): Promise<ModelCard> {
    const card = await this.#registry.cards.get(name)
    if (!card) throw new MaasError('NOT_FOUND', `model '${name}' has no card`)
    return card
  }

  putCard(name: string, markdown: string, actor = ANONYMOUS): Promise<ModelCard> {
    return this.#audited(actor, 'card.put', `model:${name}`, () => this.#registry.cards.put(name, markdown, { updatedBy: actor }))
  }

  // ---- internals

  #uploadContext(): UploadContext {
    const { registry, artifacts, engine, engineDefaults, modelFilesRoot, maxUploadBytes } = this.#options
    return { registry, artifacts, engine, engineDefaults, modelFilesRoot, maxUploadBytes }
  }

  /** Loads what the registry now says; a model left without READY versions stops serving. */
  async #reload(name: string): Promise<void> {
    const ready = await this.#registry.versions.list(name, { statuses: ['READY'] })
    if (ready.length > 0) return this.#options.serving.loadModel(name)
    await this.#options.serving.unloadModel(name).catch((error: unknown) => {
      if (!(error instanceof ModelNotFoundError)) throw error
    })
  }

  /** Reloads; on failure runs `undo` (the inverse registry write), reloads again and rethrows. */
  async #reloadOrUndo(name: string, undo: () => Promise<void>): Promise<void> {
    try {
      await this.#reload(name)
    } catch (error) {
      await undo()
      // The serving side kept what it ran; reloading the restored state clears the failure it recorded.
      await this.#reload(name).catch(() => undefined)
      if (!(error instanceof MaasError)) throw error
      throw new MaasError(error.code, `the change was undone because the model could not be reloaded: ${error.message}`, { cause: error })
    }
  }

  /** Runs `work` after every earlier serialised write of the same model. */
  #serialise<T>(name: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#locks.get(name) ?? Promise.resolve()
    const run = previous.then(work, work)
    const settled = run.catch(() => undefined)
    this.#locks.set(name, settled)
    void settled.then(() => {
      if (this.#locks.get(name) === settled) this.#locks.delete(name)
    })
    return run
  }

  async #audited<T>(actor: string, action: string, target: string, work: () => Promise<T>, details?: Record<string, unknown>): Promise<T> {
    const append = (result: 'success' | 'failure', extra?: Record<string, unknown>) =>
      this.#registry.audit.append({ actor, action, target, result, details: { ...details, ...extra } }).catch((error: Error) =>
        this.#options.logger?.warn({ action, target, reason: error.message }, 'audit log write failed'))
    try {
      const result = await work()
      await append('success')
      return result
    } catch (error) {
      await append('failure', { error: (error as Error).message })
      throw error
    }
  }
}
