/**
 * @module server/auth/create-security
 * Builds the server's Security from its configuration: keys from the registry, limits in
 * memory or (with a Redis URL) shared through Redis between replicas.
 */
import type { MaasConfig } from '../../config/config.ts'
import type { RegistryStore } from '../../registry/registry-store.ts'
import { ApiKeyAuthenticator } from './api-key-authenticator.ts'
import { ConcurrencyLimiter } from './concurrency-limiter.ts'
import { ModelResources } from './model-resources.ts'
import { MemoryQuotaCounter, type QuotaCounter } from './quota-counter.ts'
import { MemoryRateLimiter, type RateLimiter } from './rate-limiter.ts'
import { connectRedis } from './redis-connection.ts'
import { RedisQuotaCounter } from './redis-quota-counter.ts'
import { RedisRateLimiter } from './redis-rate-limiter.ts'
import { createRequestGuard, type GuardLimits } from './request-guard.ts'
import { Security } from './security.ts'

export function createSecurity(config: MaasConfig, registry: RegistryStore): { security: Security; close(): Promise<void> } {
  const redis = config.redisUrl ? connectRedis(config.redisUrl) : undefined
  const rateLimiter: RateLimiter = redis ? new RedisRateLimiter({ redis }) : new MemoryRateLimiter()
  const quotas: QuotaCounter = redis ? new RedisQuotaCounter({ redis }) : new MemoryQuotaCounter()
  const limits: GuardLimits = {
    ...(config.keyRate !== undefined ? { keyRate: { capacity: config.keyBurst ?? Math.max(1, Math.ceil(config.keyRate * 2)), refillPerSecond: config.keyRate } } : {}),
    ...(config.modelRate !== undefined ? { modelRate: { capacity: Math.max(1, Math.ceil(config.modelRate * 2)), refillPerSecond: config.modelRate } } : {}),
    ...(config.dailyRequests !== undefined ? { dailyRequests: config.dailyRequests } : {}),
    ...(config.dailySamples !== undefined ? { dailySamples: config.dailySamples } : {}),
    maxConcurrentPerKey: config.maxConcurrentPerKey,
  }
  const policy = { metricsAccess: config.metricsAccess }
  const security = new Security({
    enabled: config.auth,
    authenticator: new ApiKeyAuthenticator({ keys: registry.keys }),
    guard: createRequestGuard({ rateLimiter, quotas, concurrency: new ConcurrencyLimiter(), limits, policy }),
    models: new ModelResources(registry),
    policy,
  })
  return { security, close: async () => void (await redis?.quit().catch(() => undefined)) }
}
