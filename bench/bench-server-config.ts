/**
 * @module bench/bench-server-config
 * The configuration of a maas server in a benchmark child: the given model repository, ports
 * picked by the OS, and a throwaway data directory (registry and artifacts) per run.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { defaultConfig, type MaasConfig } from '../src/config/config.ts'

export function benchServerConfig(modelRepository: string, overrides: Partial<MaasConfig> = {}): MaasConfig {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'maas-bench-data-'))
  return {
    ...defaultConfig(),
    modelRepository,
    dataDir,
    registryUrl: path.join(dataDir, 'registry.sqlite'),
    artifactsDir: path.join(dataDir, 'artifacts'),
    httpPort: 0,
    grpcPort: 0,
    logLevel: 'silent',
    // The transport benchmarks compare with a bare HTTP echo: measured without API keys.
    auth: false,
    bootstrap: false,
    shutdownTimeoutMs: 2_000,
    ...overrides,
  }
}
