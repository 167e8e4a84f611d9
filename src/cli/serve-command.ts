/**
 * @module cli/serve-command
 * `maas serve`: reads the configuration (file < env < flags), starts the server, prints
 * where it listens and what it loaded, and shuts down gracefully on SIGTERM / SIGINT.
 */
import { mkdirSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { loadConfig, type RawConfig } from '../config/config.ts'
import { CONFIG_FIELDS } from '../config/config-fields.ts'
import { createLogger } from '../server/logger.ts'
import { MaasServer } from '../server/maas-server.ts'

const HELP = `usage: maas serve [options]

options (each also settable as the MAAS_* variable shown, or in a JSON --config file):
  --config FILE                     JSON config file (MAAS_CONFIG)
${CONFIG_FIELDS.map((field) => `  --${field.flag.padEnd(32)}${field.description} (${field.env})`).join('\n')}
  --no-auth                         same as --auth off: no API keys (warned on every start)
  --no-bootstrap                    same as --bootstrap off
  -h, --help                        show this help`

export async function runServe(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      config: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      'no-auth': { type: 'boolean' },
      'no-bootstrap': { type: 'boolean' },
      ...Object.fromEntries(CONFIG_FIELDS.map((field) => [field.flag, { type: 'string' as const }])),
    },
    strict: true,
    allowPositionals: false,
  })
  if (values.help) {
    console.log(HELP)
    return 0
  }
  const flags: RawConfig = { config: values.config }
  for (const field of CONFIG_FIELDS) flags[field.name] = (values as Record<string, unknown>)[field.flag]
  if (values['no-auth']) flags.auth = 'off'
  if (values['no-bootstrap']) flags.bootstrap = 'off'
  const config = loadConfig({ flags })
  const logger = createLogger(config.logLevel)
  mkdirSync(config.dataDir, { recursive: true })
  const server = await MaasServer.create(config, logger)
  let started
  try {
    started = await server.start()
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code !== 'EADDRINUSE' && code !== 'EACCES' && code !== 'EADDRNOTAVAIL') throw error
    logger.error({ host: config.host, port: config.httpPort, code }, `cannot listen on ${config.host}:${config.httpPort}: ${code}`)
    await server.stop()
    return 1
  }
  const { http, grpcPort, models } = started
  for (const entry of models) {
    logger.info({ model: entry.name, version: entry.version, state: entry.state, reason: entry.reason }, `model ${entry.name}${entry.version ? ` v${entry.version}` : ''}: ${entry.state}`)
  }
  // The server refuses to start with only one of the two, so the certificate alone says TLS is on.
  const tls = config.tlsCert !== undefined
  logger.info(
    { host: http.address, port: http.port, grpcPort, tls, modelRepository: config.modelRepository, dataDir: config.dataDir },
    `maas listening on ${tls ? 'https' : 'http'}://${formatHost(http.address)}:${http.port} (REST) and ${formatHost(http.address)}:${grpcPort} (gRPC${tls ? ' over TLS' : ''})`,
  )
  await waitForSignal(logger)
  await server.stop()
  return 0
}

function waitForSignal(logger: { info(message: string): void }): Promise<void> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      logger.info(`${signal} received: finishing in-flight requests, then exiting (send it again to exit now)`)
      process.once(signal, () => process.exit(1))
      resolve()
    }
    process.once('SIGTERM', onSignal)
    process.once('SIGINT', onSignal)
  })
}

function formatHost(address: string): string {
  return address.includes(':') ? `[${address}]` : address
}
