/**
 * @module server/auth/redis-connection
 * Opens the ioredis client the Redis limiters share, with options for a request path:
 * a command fails after one reconnect attempt instead of waiting out a long outage, so the
 * request guard can answer UNAVAILABLE promptly. The URL comes from configuration
 * (MAAS_REDIS_URL); this module reads no environment.
 */
import { Redis } from 'ioredis'

/** Options of connectRedis. */
export interface RedisConnectionOptions {
  /** Connection errors, which ioredis reports as events (it reconnects by itself). */
  readonly onError?: (error: Error) => void
}

/** A client for `url` (redis://[user:password@]host:port[/db] or rediss:// for TLS). */
export function connectRedis(url: string, options: RedisConnectionOptions = {}): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    enableAutoPipelining: true,
  })
  redis.on('error', options.onError ?? (() => {}))
  return redis
}
