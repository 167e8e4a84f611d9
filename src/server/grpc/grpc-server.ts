/**
 * @module server/grpc/grpc-server
 * The gRPC front end: a grpc-js server with GRPCInferenceService and grpc.health.v1.Health
 * over the data plane, a message size limit for both directions, and graceful close.
 */
import { Server, ServerCredentials, type UntypedHandleCall } from '@grpc/grpc-js'
import type { Security } from '../auth/security.ts'
import { guardHandlers } from './grpc-security.ts'
import type { DataPlane } from '../../inference/data-plane.ts'
import type { Logger } from '../logger.ts'
import { healthServiceImplementation } from './grpc-health-service.ts'
import { withModelInferSerializers } from './grpc-infer-serialization.ts'
import { inferenceServiceImplementation } from './grpc-inference-service.ts'
import { loadGrpcServiceDefinitions } from './grpc-proto.ts'

/** What GrpcServer needs; MaasServer passes the data plane it shares with the HTTP server. */
export interface GrpcServerOptions {
  readonly dataPlane: DataPlane
  readonly logger: Logger
  /** Largest message received or sent; larger ones fail with RESOURCE_EXHAUSTED. */
  readonly maxMessageBytes: number
  /** Authentication, authorisation and limits; absent: every call is let through (tests of the transport alone). */
  readonly security?: Security
  /** Serve TLS with this certificate chain and key (PEM). */
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer }
}

/** KServe v2 / Triton gRPC server over a DataPlane. */
export class GrpcServer {
  readonly #server: Server

  readonly #tls: GrpcServerOptions['tls']

  constructor({ dataPlane, logger, maxMessageBytes, security, tls }: GrpcServerOptions) {
    this.#tls = tls
    this.#server = new Server({
      'grpc.max_receive_message_length': maxMessageBytes,
      'grpc.max_send_message_length': maxMessageBytes,
    })
    const definitions = loadGrpcServiceDefinitions()
    const inference = withModelInferSerializers(definitions.inference)
    this.#server.addService(inference, inferenceServiceImplementation(inference, dataPlane, logger, security))
    const health = healthServiceImplementation(dataPlane, logger)
    this.#server.addService(definitions.health, security ? guardHandlers(health as Record<string, UntypedHandleCall>, security, logger, 'Health/') : health)
  }

  /** Binds (with TLS when configured) and starts serving; resolves the bound port (useful with port 0). */
  listen(port: number, host: string): Promise<number> {
    const address = host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`
    return new Promise((resolve, reject) => {
      const credentials = this.#tls ? ServerCredentials.createSsl(null, [{ cert_chain: this.#tls.cert, private_key: this.#tls.key }], false) : ServerCredentials.createInsecure()
      this.#server.bindAsync(address, credentials, (error, boundPort) => {
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
