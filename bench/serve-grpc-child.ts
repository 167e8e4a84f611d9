/**
 * @module bench/serve-grpc-child
 * The server under test for the `grpc` suite: like serve-child.ts (default configuration,
 * silent, the repository given as the first argument) but with the gRPC front end on a
 * free port too. child-server.ts reads only `{"port": N}`, so `{"grpcPort": N, "pid": P}` is
 * written to the file named by the second argument first (the pid lets the suite read this
 * process's CPU time). Stops (draining) on SIGTERM.
 */
import { writeFileSync } from 'node:fs'
import type { MaasConfig } from '../src/config/config.ts'
import { benchServerConfig } from './bench-server-config.ts'
import { createLogger } from '../src/server/logger.ts'
import { MaasServer } from '../src/server/maas-server.ts'

const [modelRepository, infoFile] = process.argv.slice(2)
if (!modelRepository || !infoFile) throw new Error('usage: serve-grpc-child.ts <model-repository> <info-file>')
const config: MaasConfig = benchServerConfig(modelRepository)
const server = await MaasServer.create(config, createLogger('silent'))
const { http, grpcPort, models } = await server.start()
const failed = models.filter((model) => model.state !== 'READY')
if (failed.length > 0) throw new Error(`models not ready: ${JSON.stringify(failed)}`)
writeFileSync(infoFile, JSON.stringify({ grpcPort, pid: process.pid }))
console.log(JSON.stringify({ port: http.port }))
process.on('SIGTERM', () => {
  void server.stop().then(() => process.exit(0))
})
