/**
 * @module bench/serve-child
 * The server under test: maas with its default configuration over the model repository
 * given as the first argument, on 127.0.0.1 port 0, logging nothing. Prints `{"port": N}`
 * and stops (draining) on SIGTERM, so `--cpu-prof` can write its profile.
 */
import type { MaasConfig } from '../src/config/config.ts'
import { benchServerConfig } from './bench-server-config.ts'
import { createLogger } from '../src/server/logger.ts'
import { MaasServer } from '../src/server/maas-server.ts'

const modelRepository = process.argv[2]
if (!modelRepository) throw new Error('usage: serve-child.ts <model-repository>')
const config: MaasConfig = benchServerConfig(modelRepository)
const server = await MaasServer.create(config, createLogger('silent'))
const { http, models } = await server.start()
const failed = models.filter((model) => model.state !== 'READY')
if (failed.length > 0) throw new Error(`models not ready: ${JSON.stringify(failed)}`)
console.log(JSON.stringify({ port: http.port }))
process.on('SIGTERM', () => {
  void server.stop().then(() => process.exit(0))
})
