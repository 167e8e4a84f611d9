/**
 * @module runtime/model-manager
 * Owns the lifecycle of served models: loads what the repository and each model's version
 * policy say, reloads and unloads on request (load → switch → drain → release, so requests
 * in flight always finish), and hands out leases on ready versions to the data plane.
 */
import { InvalidArgumentError, MaasError, ModelNotFoundError, ModelNotReadyError } from '../core/errors.ts'
import type { Engine, EngineOptions } from './engine.ts'
import { selectVersions, type ModelConfig, type VersionLabel } from './model-config.ts'
import { MODEL_FILE_NAME } from './model-repository.ts'
import type { ModelSource, SourceModel } from './model-source.ts'
import type { ExecutionObserver, ServedVersion } from './served-version.ts'
import { loadVersion } from './version-loader.ts'

export type VersionState = 'LOADING' | 'READY' | 'UNLOADING' | 'UNAVAILABLE' | 'FAILED'

/** One row of the repository index (Triton's repository extension). */
export interface IndexEntry {
  readonly name: string
  readonly version?: string
  readonly state: VersionState
  readonly reason?: string
}

/** A ready version, held for the duration of one request. */
export interface ModelLease {
  readonly served: ServedVersion
  release(): void
}

/**
 * A lease whose release is a method rather than a closure made per request (tsx's keepNames
 * gives every named closure an Object.defineProperty call). Releasing twice is a no-op.
 */
class VersionLease implements ModelLease {
  #released = false

  constructor(readonly served: ServedVersion) {}

  release(): void {
    if (this.#released) return
    this.#released = true
    this.served.leave()
  }
}

interface ModelSlot {
  served: ReadonlyMap<number, ServedVersion>
  /** Highest served version first; the target of unversioned requests. */
  order: readonly number[]
  states: Map<number, { state: VersionState; reason?: string }>
  /** Model-level state when no version could be tried (bad config, no versions). */
  modelState?: { state: VersionState; reason?: string }
  /** Version labels / aliases of the loaded configuration. */
  labels: Readonly<Record<string, VersionLabel>>
  /** Serialises load/unload of this model. */
  lock: Promise<unknown>
}

export interface LoadLogger {
  info(object: object, message: string): void
  warn(object: object, message: string): void
  error(object: object, message: string): void
}

export interface ModelManagerOptions {
  readonly logger?: LoadLogger
  /** Gives each loaded version an observer of its executions (statistics, batch sizes). */
  readonly observerFor?: (model: string, version: number) => ExecutionObserver
}

export class ModelManager {
  readonly #slots = new Map<string, ModelSlot>()
  readonly #repository: ModelSource
  readonly #engine: Engine
  readonly #defaults: EngineOptions
  readonly #logger: LoadLogger | undefined
  readonly #observerFor: ModelManagerOptions['observerFor']

  constructor(repository: ModelSource, engine: Engine, defaults: EngineOptions, options: ModelManagerOptions = {}) {
    this.#repository = repository
    this.#engine = engine
    this.#defaults = defaults
    this.#logger = options.logger
    this.#observerFor = options.observerFor
  }

  /** Loads every model of the repository; failures are recorded, not thrown. */
  async loadAll(): Promise<IndexEntry[]> {
    for (const name of await this.#repository.list()) {
      await this.load(name).catch(() => undefined)
    }
    return this.index()
  }

  /** (Re)loads a model from the repository. The versions it served keep serving until the new ones are ready. */
  load(name: string): Promise<void> {
    return this.#serialise(name, async (slot) => {
      const model = await this.#repository.read(name)
      if (!model) {
        if (slot.served.size === 0 && slot.states.size === 0) this.#slots.delete(name)
        throw new ModelNotFoundError(name)
      }
      await this.#loadVersions(slot, model)
    })
  }

  /** Stops serving a model; requests in flight finish first, then the sessions are released. */
  unload(name: string): Promise<void> {
    if (!this.#slots.has(name)) return Promise.reject(new ModelNotFoundError(name))
    return this.#serialise(name, async (slot) => {
      const retiring = [...slot.served.values()]
      slot.served = new Map()
      slot.order = []
      for (const served of retiring) slot.states.set(served.version, { state: 'UNLOADING' })
      await Promise.all(retiring.map((served) => served.retire()))
      for (const served of retiring) slot.states.set(served.version, { state: 'UNAVAILABLE', reason: 'unloaded' })
      slot.modelState = undefined
      this.#logger?.info({ model: name }, 'model unloaded')
    })
  }

  /**
   * Leases a ready version: the given one, or the highest served one. Throws
   * ModelNotFoundError for names and versions the server does not know and
   * ModelNotReadyError for known ones that cannot run now.
   */
  acquire(name: string, version?: string): ModelLease {
    // `model@label` addresses a label wherever a protocol carries only a model name.
    const at = name.indexOf('@')
    if (at > 0) {
      const label = name.slice(at + 1)
      if (version !== undefined && version !== '' && version !== label) {
        throw new InvalidArgumentError(`model '${name}' names label '${label}' but version '${version}' was also given`)
      }
      return this.acquire(name.slice(0, at), label)
    }
    const slot = this.#slots.get(name)
    if (!slot) throw new ModelNotFoundError(name)
    if (version !== undefined && version !== '' && !/^\d+$/.test(version)) version = String(this.#resolveLabel(slot, name, version))
    let served: ServedVersion | undefined
    if (version === undefined || version === '') {
      served = slot.served.get(slot.order[0]!)
      if (!served) throw new ModelNotReadyError(name, undefined, slot.modelState?.state ?? 'UNAVAILABLE')
    } else {
      const number = /^\d+$/.test(version) ? Number(version) : NaN
      served = slot.served.get(number)
      if (!served) {
        const known = slot.states.get(number)
        if (!known) throw new ModelNotFoundError(name, version)
        throw new ModelNotReadyError(name, version, known.state)
      }
    }
    served.enter()
    return new VersionLease(served)
  }

  /** The version a label points at now; a canary split draws by weight. */
  #resolveLabel(slot: ModelSlot, name: string, label: string): number {
    const target = slot.labels[label]
    if (!target) throw new MaasError('NOT_FOUND', `label '${label}' of model '${name}' is not found`)
    return target.canary && Math.random() * 100 < target.canary.weight ? target.canary.version : target.version
  }

  /** The labels of a loaded model. */
  labels(name: string): Readonly<Record<string, VersionLabel>> {
    return this.#slots.get(name.split('@')[0]!)?.labels ?? {}
  }

  /** Versions currently served, highest first. */
  servedVersions(name: string): number[] {
    return [...(this.#slots.get(name)?.order ?? [])]
  }

  /** True when no model is loading or failed. */
  isReady(): boolean {
    for (const slot of this.#slots.values()) {
      if (slot.modelState?.state === 'FAILED' || slot.modelState?.state === 'LOADING') return false
      for (const { state } of slot.states.values()) if (state === 'FAILED' || state === 'LOADING') return false
    }
    return true
  }

  /** Every model on disk or known to the server, one row per version with a state. */
  async index(): Promise<IndexEntry[]> {
    const names = new Set([...(await this.#repository.list()), ...this.#slots.keys()])
    const entries: IndexEntry[] = []
    for (const name of [...names].sort()) {
      const slot = this.#slots.get(name)
      if (!slot || (slot.states.size === 0 && !slot.modelState)) {
        entries.push({ name, state: 'UNAVAILABLE', reason: 'not loaded' })
        continue
      }
      if (slot.modelState) entries.push({ name, ...slot.modelState })
      for (const [version, status] of [...slot.states].sort((a, b) => b[0] - a[0])) {
        entries.push({ name, version: String(version), ...status })
      }
    }
    return entries
  }

  /** Unloads everything after the requests in flight finish. */
  async stop(): Promise<void> {
    await Promise.all([...this.#slots.keys()].map((name) => this.unload(name).catch(() => undefined)))
  }

  async #loadVersions(slot: ModelSlot, model: SourceModel): Promise<void> {
    // A failed (re)load leaves what was serving in place; the model itself is FAILED only
    // when nothing of it serves.
    const fail = (reason: string, version?: number): never => {
      if (version !== undefined) slot.states.set(version, { state: 'FAILED', reason })
      else if (slot.served.size === 0) slot.modelState = { state: 'FAILED', reason }
      this.#logger?.error({ model: model.name, version, reason, stillServing: slot.order }, 'model failed to load')
      throw new InvalidArgumentError(`failed to load model '${model.name}'${version === undefined ? '' : ` version ${version}`}: ${reason}`)
    }
    if (model.configError) fail(model.configError)
    const labelled = Object.values(model.config.versionLabels).flatMap((label) => [label.version, ...(label.canary ? [label.canary.version] : [])])
    for (const version of labelled) {
      if (!model.versions.includes(version)) fail(`a version label points at version ${version}, which does not exist`)
    }
    // Labelled versions are served whatever the version policy says, so every label resolves.
    const versions = [...new Set([...selectVersions(model.config.versionPolicy, model.versions), ...labelled])].sort((a, b) => b - a)
    if (versions.length === 0 && model.versions.length === 0 && slot.served.size === 0) {
      // A registered model still waiting for its first version is not a failure: the server
      // stays ready, and the model serves once a version is uploaded or trained.
      slot.modelState = { state: 'UNAVAILABLE', reason: 'no version to serve yet' }
      throw new ModelNotReadyError(model.name, undefined, 'no version to serve yet')
    }
    if (versions.length === 0) {
      fail(model.versions.length === 0 ? `no version with a ${MODEL_FILE_NAME} (looked in ${model.directory})` : 'the version policy selects none of the versions on disk')
    }
    slot.modelState = undefined
    const engineOptions: EngineOptions = { ...this.#defaults, ...model.config.engine }
    const loaded: ServedVersion[] = []
    for (const version of versions) {
      if (!slot.served.has(version)) slot.states.set(version, { state: 'LOADING' })
      const started = performance.now()
      try {
        const served = await loadVersion({
          modelName: model.name,
          version,
          modelPath: this.#repository.modelPath(model, version),
          modelDirectory: model.directory,
          config: model.config,
          engineOptions,
          engine: this.#engine,
          observer: this.#observerFor?.(model.name, version),
          log: (details, message) => this.#logger?.info(details, message),
        })
        loaded.push(served)
        this.#logger?.info({ model: model.name, version, ms: Math.round(performance.now() - started) }, 'model version loaded')
      } catch (error) {
        await Promise.all(loaded.map((served) => served.retire()))
        for (const served of loaded) if (!slot.served.has(served.version)) slot.states.delete(served.version)
        // A version that serves already keeps its READY state; the error goes to the caller and the log.
        fail((error as Error).message, slot.served.has(version) ? undefined : version)
      }
    }
    const retiring = [...slot.served.values()]
    slot.labels = model.config.versionLabels
    slot.served = new Map(loaded.map((served) => [served.version, served]))
    slot.order = loaded.map((served) => served.version).sort((a, b) => b - a)
    // A successful load replaces the history: failures of earlier attempts no longer apply.
    slot.states = new Map(loaded.map((served) => [served.version, { state: 'READY' as VersionState }]))
    for (const served of retiring) {
      if (!slot.served.has(served.version)) slot.states.set(served.version, { state: 'UNAVAILABLE', reason: 'not selected by the version policy' })
    }
    await Promise.all(retiring.map((served) => served.retire()))
  }

  #serialise(name: string, work: (slot: ModelSlot) => Promise<void>): Promise<void> {
    let slot = this.#slots.get(name)
    if (!slot) {
      slot = { served: new Map(), order: [], states: new Map(), labels: {}, lock: Promise.resolve() }
      this.#slots.set(name, slot)
    }
    const current = slot
    const run = current.lock.then(() => work(current))
    current.lock = run.catch(() => undefined)
    return run
  }
}
