/**
 * @module server/maas-server
 * Assembles a running server from a config: registry + artifact store (a Triton-layout
 * folder imported into them) → ModelManager (ORT engine) → DataPlane → HTTP and gRPC front
 * ends. `start()` loads the models and listens; `stop()` drains.
 */
import type { AddressInfo } from 'node:net'
import type { MaasConfig } from '../config/config.ts'
import { DataPlane, createExecutionObserver } from '../inference/data-plane.ts'
import { InferenceMetrics } from '../inference/inference-metrics.ts'
import { StatisticsRecorder } from '../inference/model-statistics.ts'
import { ModelManager, type IndexEntry } from '../runtime/model-manager.ts'
import { ModelRepository } from '../runtime/model-repository.ts'
import { OnnxEngine } from '../runtime/onnx-engine.ts'
import path from 'node:path'
import type { ArtifactStore } from '../artifacts/artifact-store.ts'
import { LocalArtifactStore } from '../artifacts/local-artifact-store.ts'
import { ModelService } from '../control/model-service.ts'
import { bootstrapAdminKey } from '../control/admin-key-bootstrap.ts'
import { KeyService } from '../control/key-service.ts'
import { UsageMeter } from '../control/usage-meter.ts'
import { RegistryModelSource } from '../control/registry-model-source.ts'
import { runBootstrap } from '../control/bootstrap.ts'
import { JobEventBus } from '../control/jobs/job-event-bus.ts'
import { JobRunner } from '../control/jobs/job-runner.ts'
import { JobService } from '../control/jobs/job-service.ts'
import { openRegistry } from '../registry/open-registry.ts'
import type { RegistryStore } from '../registry/registry-store.ts'
import { readFile } from 'node:fs/promises'
import { InvalidArgumentError } from '../core/errors.ts'
import { createSecurity } from './auth/create-security.ts'
import { GrpcServer } from './grpc/grpc-server.ts'
import { HttpServer } from './http/http-server.ts'
import type { Logger } from './logger.ts'

export interface StartedServer {
  readonly http: AddressInfo
  readonly grpcPort: number
  readonly models: readonly IndexEntry[]
}

export class MaasServer {
  readonly registry: RegistryStore
  readonly artifacts: ArtifactStore
  readonly dataPlane: DataPlane
  /** Model management (registry writes kept in step with serving). */
  readonly modelService: ModelService
  /** Training jobs: queued in the registry, run in child processes by #jobRunner. */
  readonly jobs: JobService
  /** API keys: create, list, revoke, rotate, each audited. */
  readonly keys: KeyService
  /** Usage per key, model, version and day, flushed to the registry every second. */
  readonly usage: UsageMeter
  readonly http: HttpServer
  readonly grpc: GrpcServer
  readonly #models: ModelManager
  readonly #jobRunner: JobRunner
  readonly #config: MaasConfig
  readonly #logger: Logger
  #stopping: Promise<void> | undefined
  readonly #closeSecurity: () => Promise<void>

  /** Opens the registry and the artifact store, then builds the server (nothing listens yet). */
  static async create(config: MaasConfig, logger: Logger, options: { processMetrics?: boolean } = {}): Promise<MaasServer> {
    const tls = await readTls(config)
    const registry = await openRegistry(config.registryUrl)
    const artifacts = new LocalArtifactStore(config.artifactsDir)
    return new MaasServer(config, logger, registry, artifacts, { ...options, ...(tls ? { tls } : {}) })
  }

  private constructor(
    config: MaasConfig,
    logger: Logger,
    registry: RegistryStore,
    artifacts: ArtifactStore,
    { processMetrics = true, tls }: { processMetrics?: boolean; tls?: { cert: Buffer; key: Buffer } } = {},
  ) {
    this.#config = config
    const { security, close } = createSecurity(config, registry)
    this.#closeSecurity = close
    this.#logger = logger
    this.registry = registry
    this.artifacts = artifacts
    const metrics = new InferenceMetrics({ processMetrics })
    const statistics = new StatisticsRecorder()
    const source = new RegistryModelSource({
      registry,
      artifacts,
      folder: new ModelRepository(config.modelRepository),
      modelFilesRoot: path.join(config.dataDir, 'models'),
      onImportProblem: (model, problem) => logger.warn({ model, problem }, 'model repository import'),
    })
    const engine = new OnnxEngine()
    this.#models = new ModelManager(source, engine, config.engine, {
      logger,
      observerFor: createExecutionObserver(statistics, metrics),
    })
    this.keys = new KeyService({ registry, logger })
    this.usage = new UsageMeter({
      store: registry.usage, metrics: metrics.registry,
      onFlushError: (error) => logger.warn({ reason: error.message }, 'usage flush failed; the counts are kept and retried'),
    })
    this.dataPlane = new DataPlane(this.#models, metrics, statistics, {
      onRequestDone: (done) => this.usage.record(done),
      limits: { maxTensorElements: config.maxTensorElements, maxStringBytes: config.maxStringBytes },
    })
    this.modelService = new ModelService({
      registry, artifacts, serving: this.dataPlane, engine, engineDefaults: config.engine, logger,
      modelFilesRoot: path.join(config.dataDir, 'models'), maxUploadBytes: config.maxUploadBytes,
    })
    const events = new JobEventBus()
    this.#jobRunner = new JobRunner({
      registry, artifacts, events, logger, models: this.dataPlane, dataDir: config.dataDir,
      concurrency: config.jobConcurrency, leaseMs: config.jobLeaseMs, pollMs: Math.min(1000, config.jobLeaseMs),
    })
    this.jobs = new JobService({ registry, runner: this.#jobRunner, events, dataDir: config.dataDir })
    this.http = new HttpServer({ dataPlane: this.dataPlane, metrics: metrics.registry, maxBodyBytes: config.maxBodyBytes, logger, models: this.modelService, jobs: this.jobs, access: { keys: this.keys, usage: this.usage, audit: registry.audit }, security, corsOrigins: config.corsOrigins, requestTimeoutMs: config.requestTimeoutMs, ...(tls ? { tls } : {}) })
    this.grpc = new GrpcServer({ dataPlane: this.dataPlane, logger, maxMessageBytes: config.grpcMaxMessageBytes, security, ...(tls ? { tls } : {}) })
  }

  async start(): Promise<StartedServer> {
    if (!this.#config.auth) this.#logger.warn('authentication is OFF (--no-auth): every caller is an anonymous admin; use this for local experiments only')
    await this.#ensureAdminKey()
    this.usage.start()
    const models = await this.#models.loadAll()
    const http = await this.http.listen(this.#config.httpPort, this.#config.host)
    const grpcPort = await this.grpc.listen(this.#config.grpcPort, this.#config.host).catch(async (error: unknown) => {
      await this.http.close(0)
      throw error
    })
    this.#jobRunner.start()
    if (this.#config.bootstrap) {
      await runBootstrap({ registry: this.registry, jobs: this.jobs, logger: this.#logger }).catch((error: unknown) => this.#logger.warn({ err: error }, 'bootstrap: could not queue the default model'))
    }
    return { http, grpcPort, models }
  }

  /** Registers MAAS_ADMIN_KEY, or writes a new admin key to a file when there is none; logs the path, never the key. */
  async #ensureAdminKey(): Promise<void> {
    const result = await bootstrapAdminKey({ keys: this.keys, dataDir: this.#config.dataDir, ...(this.#config.adminKey !== undefined && { adminKey: this.#config.adminKey }) })
    if (result.kind === 'generated') {
      this.#logger.warn({ path: result.path, key: result.prefix }, `no admin API key yet: one was written to ${result.path} (mode 0600); send it as 'Authorization: Bearer <key>'`)
    } else if (result.kind === 'configured' && result.added) {
      this.#logger.info({ key: result.prefix }, 'admin API key from MAAS_ADMIN_KEY registered')
    }
  }

  /** Stops accepting, finishes in-flight requests, releases every session. Idempotent. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      this.dataPlane.stopAccepting()
      await this.#jobRunner.stop()
      await Promise.all([this.http.close(this.#config.shutdownTimeoutMs), this.grpc.close(this.#config.shutdownTimeoutMs)])
      await this.#models.stop()
      await this.usage.stop().catch((error: Error) => this.#logger.warn({ reason: error.message }, 'usage not flushed on stop; the last second of counts is lost'))
      await this.#closeSecurity()
      await this.registry.close()
      this.#logger.info('server stopped')
    })()
    return this.#stopping
  }
}

/** The TLS certificate and key, when configured; both or neither. */
async function readTls(config: MaasConfig): Promise<{ cert: Buffer; key: Buffer } | undefined> {
  if (config.tlsCert === undefined && config.tlsKey === undefined) return undefined
  if (config.tlsCert === undefined || config.tlsKey === undefined) throw new InvalidArgumentError('TLS needs both --tls-cert and --tls-key')
  const read = (file: string, what: string) =>
    readFile(file).catch((error: NodeJS.ErrnoException) => {
      throw new InvalidArgumentError(`cannot read the TLS ${what} ${file}: ${error.code ?? error.message}`)
    })
  return { cert: await read(config.tlsCert, 'certificate'), key: await read(config.tlsKey, 'key') }
}
