/**
 * @module server/grpc/grpc-server
 * The gRPC front end: a grpc-js server with GRPCInferenceService and grpc.health.v1.Health
 * over the data plane, a message size limit for both directions, and graceful close.
 */
import { Server, ServerCredentials } from '@grpc/grpc-js'
import type { DataPlane } from '../../inference/data-plane.ts'
import type { Logger } from '../logger.ts'
import { healthServiceImplementation } from './grpc-health-service.ts'
import { inferenceServiceImplementation } from './grpc-inference-service.ts'
import { loadGrpcServiceDefinitions } from './grpc-proto.ts'

/** What GrpcServer needs; MaasServer passes the data plane it shares with the HTTP server. */
export interface GrpcServerOptions {
  readonly dataPlane: DataPlane
  readonly logger: Logger
  /** Largest message received or sent; larger ones fail with RESOURCE_EXHAUSTED. */
  readonly maxMessageBytes: number
}

/** KServe v2 / Triton gRPC server over a DataPlane. */
export class GrpcServer {
  readonly #server: Server

  constructor({ dataPlane, logger, maxMessageBytes }: GrpcServerOptions) {
    this.#server = new Server({
      'grpc.max_receive_message_length': maxMessageBytes,
      'grpc.max_send_message_length': maxMessageBytes,
    })
    const definitions = loadGrpcServiceDefinitions()
    this.#server.addService(definitions.inference, inferenceServiceImplementation(definitions.inference, dataPlane, logger))
    this.#server.addService(definitions.health, healthServiceImplementation(dataPlane, logger))
  }

  /** Binds without TLS and starts serving; resolves the bound port (useful with port 0). */
  listen(port: number, host: string): Promise<number> {
    const address = host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`
    return new Promise((resolve, reject) => {
      this.#server.bindAsync(address, ServerCredentials.createInsecure(), (error, boundPort) => {
        if (error) reject(error)
        else resolve(boundPort)
      })
    })
  }

  /** Stops taking calls and lets those in flight finish, for up to timeoutMs; then cancels the rest. */
  close(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#server.forceShutdown()
        resolve()
      }, timeoutMs)
      timer.unref()
      this.#server.tryShutdown(() => {
        clearTimeout(timer)
        resolve()
      })
    })
  }
}
