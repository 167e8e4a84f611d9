/**
 * @module server/maas-server
 * Assembles a running server from a config: model repository → ModelManager (ORT engine)
 * → DataPlane → HTTP and gRPC front ends. `start()` loads the models and listens; `stop()` drains.
 */
import type { AddressInfo } from 'node:net'
import type { MaasConfig } from '../config/config.ts'
import { DataPlane, createExecutionObserver } from '../inference/data-plane.ts'
import { InferenceMetrics } from '../inference/inference-metrics.ts'
import { StatisticsRecorder } from '../inference/model-statistics.ts'
import { ModelManager, type IndexEntry } from '../runtime/model-manager.ts'
import { ModelRepository } from '../runtime/model-repository.ts'
import { OnnxEngine } from '../runtime/onnx-engine.ts'
import { GrpcServer } from './grpc/grpc-server.ts'
import { HttpServer } from './http/http-server.ts'
import type { Logger } from './logger.ts'

export interface StartedServer {
  readonly http: AddressInfo
  readonly grpcPort: number
  readonly models: readonly IndexEntry[]
}

export class MaasServer {
  readonly dataPlane: DataPlane
  readonly http: HttpServer
  readonly grpc: GrpcServer
  readonly #models: ModelManager
  readonly #config: MaasConfig
  readonly #logger: Logger
  #stopping: Promise<void> | undefined

  constructor(config: MaasConfig, logger: Logger, { processMetrics = true }: { processMetrics?: boolean } = {}) {
    this.#config = config
    this.#logger = logger
    const metrics = new InferenceMetrics({ processMetrics })
    const statistics = new StatisticsRecorder()
    this.#models = new ModelManager(new ModelRepository(config.modelRepository), new OnnxEngine(), config.engine, {
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
      this.#logger.info('server stopped')
    })()
    return this.#stopping
  }
}
