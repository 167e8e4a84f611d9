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
import { RegistryModelSource } from '../control/registry-model-source.ts'
import { openRegistry } from '../registry/open-registry.ts'
import type { RegistryStore } from '../registry/registry-store.ts'
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
  readonly http: HttpServer
  readonly grpc: GrpcServer
  readonly #models: ModelManager
  readonly #config: MaasConfig
  readonly #logger: Logger
  #stopping: Promise<void> | undefined

  /** Opens the registry and the artifact store, then builds the server (nothing listens yet). */
  static async create(config: MaasConfig, logger: Logger, options: { processMetrics?: boolean } = {}): Promise<MaasServer> {
    const registry = await openRegistry(config.registryUrl)
    const artifacts = new LocalArtifactStore(config.artifactsDir)
    return new MaasServer(config, logger, registry, artifacts, options)
  }

  private constructor(config: MaasConfig, logger: Logger, registry: RegistryStore, artifacts: ArtifactStore, { processMetrics = true }: { processMetrics?: boolean } = {}) {
    this.#config = config
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
    this.#models = new ModelManager(source, new OnnxEngine(), config.engine, {
      logger,
      observerFor: createExecutionObserver(statistics, metrics),
    })
    this.dataPlane = new DataPlane(this.#models, metrics, statistics)
    this.http = new HttpServer({ dataPlane: this.dataPlane, metrics: metrics.registry, maxBodyBytes: config.maxBodyBytes, logger })
    this.grpc = new GrpcServer({ dataPlane: this.dataPlane, logger, maxMessageBytes: config.grpcMaxMessageBytes })
  }

  async start(): Promise<StartedServer> {
    const models = await this.#models.loadAll()
    const http = await this.http.listen(this.#config.httpPort, this.#config.host)
    const grpcPort = await this.grpc.listen(this.#config.grpcPort, this.#config.host).catch(async (error: unknown) => {
      await this.http.close(0)
      throw error
    })
    return { http, grpcPort, models }
  }

  /** Stops accepting, finishes in-flight requests, releases every session. Idempotent. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      this.dataPlane.stopAccepting()
      await Promise.all([this.http.close(this.#config.shutdownTimeoutMs), this.grpc.close(this.#config.shutdownTimeoutMs)])
      await this.#models.stop()
      await this.registry.close()
      this.#logger.info('server stopped')
    })()
    return this.#stopping
  }
}
