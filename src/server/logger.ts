/**
 * @module server/logger
 * Structured JSON logs with pino. One root logger per server; request logs carry the
 * request id so a line can be matched to what the client saw in X-Request-Id.
 */
import { pino, type Logger } from 'pino'

export type { Logger }

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, base: { service: 'maas' }, timestamp: pino.stdTimeFunctions.isoTime }, destination)
}
