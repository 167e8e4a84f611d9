/**
 * Starts the whole test server (HTTP and gRPC on 127.0.0.1 port 0, fixture repository) and a
 * GrpcTestClient connected to it. Also a way to run a separate GrpcServer over a data plane
 * with some methods replaced (slow, failing, with statistics).
 */
import type { DataPlane } from '../../src/inference/data-plane.ts'
import { GrpcServer } from '../../src/server/grpc/grpc-server.ts'
import { createLogger } from '../../src/server/logger.ts'
import { GrpcTestClient } from './grpc-test-client.ts'
import { startTestServer, type TestServer } from './test-server.ts'

export const TEST_MAX_MESSAGE_BYTES = 64 * 1024 * 1024

export interface StartedGrpc {
  readonly server: GrpcServer
  readonly client: GrpcTestClient
  readonly address: string
  close(): Promise<void>
}

export interface GrpcTestServer extends StartedGrpc {
  readonly http: TestServer
  readonly dataPlane: DataPlane
}

/** A GrpcServer over `dataPlane` on an ephemeral port, with a client. */
export async function startGrpc(dataPlane: DataPlane, maxMessageBytes = TEST_MAX_MESSAGE_BYTES): Promise<StartedGrpc> {
  const server = new GrpcServer({ dataPlane, logger: createLogger('silent'), maxMessageBytes })
  const port = await server.listen(0, '127.0.0.1')
  const address = `127.0.0.1:${port}`
  const client = new GrpcTestClient(address)
  return {
    server,
    client,
    address,
    close: async () => {
      client.close()
      await server.close(1000)
    },
  }
}

/** The whole server (REST and its own gRPC front end) with a client on its gRPC port. */
export async function startGrpcTestServer(): Promise<GrpcTestServer> {
  const http = await startTestServer()
  const client = new GrpcTestClient(http.grpcAddress)
  return {
    server: http.server.grpc,
    client,
    address: http.grpcAddress,
    http,
    dataPlane: http.server.dataPlane,
    close: async () => {
      client.close()
      await http.close()
    },
  }
}

/** `dataPlane` with some methods replaced; the others still run on the real one. */
export function overrideDataPlane(dataPlane: DataPlane, overrides: Record<string, (...args: any[]) => unknown>): DataPlane {
  return new Proxy(dataPlane, {
    get(target, property) {
      if (typeof property === 'string' && property in overrides) return overrides[property]
      const value = Reflect.get(target, property)
      return typeof value === 'function' ? value.bind(target) : value
    },
    has(target, property) {
      return (typeof property === 'string' && property in overrides) || property in target
    },
  })
}
