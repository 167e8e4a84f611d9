/**
 * @module server/auth/redis-script
 * A Lua script run with EVALSHA, falling back to EVAL (which also caches it) when the server
 * does not know it yet, e.g. after a restart or failover. Lua scripts are how the Redis
 * limiters stay atomic across replicas: Redis runs a script without interleaving others.
 */
import { createHash } from 'node:crypto'
import type { Redis } from 'ioredis'

/** One Lua script, sent in full only when the server asks for it. */
export class RedisScript {
  readonly #source: string
  readonly #sha1: string

  constructor(source: string) {
    this.#source = source
    this.#sha1 = createHash('sha1').update(source).digest('hex')
  }

  /** Runs the script with KEYS and ARGV; rejects with Redis's error otherwise. */
  async run(redis: Redis, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.#sha1, keys.length, ...keys, ...args)
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error
      return await redis.eval(this.#source, keys.length, ...keys, ...args)
    }
  }
}
