/**
 * @module bench/serve-cnn-child
 * The server under test for the `cnn` suite: maas with its default configuration over the
 * repository given as the first argument, REST and gRPC on free ports. It logs at `info`
 * into memory only, to catch each model's `model instances planned` line (what `auto`
 * chose); maas logs nothing per request at that level unless a request fails. Before printing
 * `{"port": N}` it writes `{pid, grpcPort, plans}` to the file named by the second argument.
 * Stops (draining) on SIGTERM, so `--cpu-prof` can write its profile.
 */
import { writeFileSync } from 'node:fs'
import type { MaasConfig } from '../src/config/config.ts'
import { benchServerConfig } from './bench-server-config.ts'
import { createLogger } from '../src/server/logger.ts'
import { MaasServer } from '../src/server/maas-server.ts'

/** What the child reports besides its HTTP port. */
export interface CnnChildInfo {
  readonly pid: number
  readonly grpcPort: number
  readonly plans: readonly { model: string; warmupMs: number; thread: string; count: number }[]
}

const [modelRepository, infoFile] = process.argv.slice(2)
if (!modelRepository || !infoFile) throw new Error('usage: serve-cnn-child.ts <model-repository> <info-file>')
const plans: CnnChildInfo['plans'][number][] = []
const capture = {
  write(line: string) {
    const record = JSON.parse(line) as { msg?: string; model?: string; warmupMs?: number; thread?: string; count?: number; level?: number }
    if (record.msg === 'model instances planned') plans.push({ model: record.model!, warmupMs: record.warmupMs!, thread: record.thread!, count: record.count! })
    else if ((record.level ?? 0) >= 40) process.stderr.write(line)
  },
}
const config: MaasConfig = benchServerConfig(modelRepository, { logLevel: 'info' })
const server = await MaasServer.create(config, createLogger('info', capture))
const { http, grpcPort, models } = await server.start()
const failed = models.filter((model) => model.state !== 'READY')
if (failed.length > 0) throw new Error(`models not ready: ${JSON.stringify(failed)}`)
writeFileSync(infoFile, JSON.stringify({ pid: process.pid, grpcPort, plans } satisfies CnnChildInfo))
console.log(JSON.stringify({ port: http.port }))
process.on('SIGTERM', () => {
  void server.stop().then(() => process.exit(0))
})
