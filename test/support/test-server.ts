/**
 * Starts a real maas server on 127.0.0.1 port 0 over a fixture repository, for integration
 * tests; `close()` stops it and removes the folder.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { defaultConfig, type MaasConfig } from '../../src/config/config.ts'
import { createLogger } from '../../src/server/logger.ts'
import { MaasServer } from '../../src/server/maas-server.ts'
import { createFixtureRepository } from './fixture-repository.ts'

export interface TestServer {
  readonly url: string
  /** host:port of the gRPC front end. */
  readonly grpcAddress: string
  readonly server: MaasServer
  readonly repository: string
  /** The server's data dir (a fresh temporary folder). */
  readonly dataDir: string
  close(): Promise<void>
}

export async function startTestServer(overrides: Partial<MaasConfig> = {}, repository = createFixtureRepository()): Promise<TestServer> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'maas-data-'))
  const config: MaasConfig = {
    ...defaultConfig(),
    modelRepository: repository,
    dataDir,
    registryUrl: path.join(dataDir, 'registry.sqlite'),
    artifactsDir: path.join(dataDir, 'artifacts'),
    httpPort: 0,
    grpcPort: 0,
    logLevel: 'silent',
    // Security is tested on its own (test/http-security.test.ts); the other tests speak the protocols.
    auth: false,
    // Tests that want the embedded default turn it on.
    bootstrap: false,
    ...overrides,
  }
  const server = await MaasServer.create(config, createLogger(config.logLevel), { processMetrics: false })
  const { http, grpcPort } = await server.start()
  return {
    url: `http://127.0.0.1:${http.port}`,
    grpcAddress: `127.0.0.1:${grpcPort}`,
    server,
    repository,
    dataDir,
    close: async () => {
      await server.stop()
      rmSync(repository, { recursive: true, force: true })
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/** fetch + JSON body, keeping status and headers. */
export async function requestJson(url: string, init: RequestInit = {}): Promise<{ status: number; headers: Headers; body: any }> {
  const response = await fetch(url, init)
  const text = await response.text()
  let body: unknown = text
  try {
    body = text === '' ? undefined : JSON.parse(text)
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body }
}

export function postJson(url: string, body: unknown): Promise<{ status: number; headers: Headers; body: any }> {
  return requestJson(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
}
