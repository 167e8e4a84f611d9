/**
 * Makes sure a real redis-server answers on 127.0.0.1:6379 for the Redis limiter tests:
 * starts one (no persistence) when it is not running and this process may (root, and
 * redis-server installed); otherwise fails with what to install. Tests do not skip: the
 * shared limiters are only tested against the real thing.
 */
import { execFileSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { connect } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Redis } from 'ioredis'
import { connectRedis } from '../../src/server/auth/redis-connection.ts'

const HOST = '127.0.0.1'
const PORT = 6379
export const TEST_REDIS_URL = `redis://${HOST}:${PORT}`

/** Resolves once redis-server answers PING, starting it if needed and allowed. */
export async function ensureRedisServer(): Promise<string> {
  if (await pings()) return TEST_REDIS_URL
  const root = process.getuid?.() === 0
  const installed = hasRedisServer()
  if (!root || !installed) {
    throw new Error(
      `redis-server is not running on ${HOST}:${PORT}` +
        (installed ? ' and this user may not start it' : ' and is not installed') +
        '; install it with `apt-get install redis-server` and start it with ' +
        `\`redis-server --daemonize yes --bind ${HOST} --port ${PORT} --save "" --appendonly no\``,
    )
  }
  execFileSync('redis-server', ['--daemonize', 'yes', '--bind', HOST, '--port', String(PORT), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
  for (let attempt = 0; attempt < 50; attempt++) {
    if (await pings()) return TEST_REDIS_URL
    await sleep(100)
  }
  throw new Error(`started redis-server, but it does not answer on ${HOST}:${PORT} after 5 s`)
}

/** A client on the test server plus a key prefix unique to this run; cleanup() deletes its keys and quits. */
export async function openTestRedis(): Promise<{ redis: Redis; prefix: string; cleanup(): Promise<void> }> {
  const url = await ensureRedisServer()
  const redis = connectRedis(url)
  const prefix = `maas-test:${randomUUID()}:`
  return {
    redis,
    prefix,
    cleanup: async () => {
      const keys = await redis.keys(`${prefix}*`)
      if (keys.length > 0) await redis.del(...keys)
      await redis.quit()
    },
  }
}

function hasRedisServer(): boolean {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

/** True when something on HOST:PORT answers an inline PING with +PONG within a second. */
function pings(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(PORT, HOST)
    let reply = ''
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(1000, () => done(false))
    socket.once('error', () => done(false))
    socket.once('connect', () => socket.write('PING\r\n'))
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1')
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'))
    })
  })
}
