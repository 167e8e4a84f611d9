/**
 * @module server/auth/request-guard
 * The one check the HTTP and gRPC adapters run before any model work, in this order:
 *   1. authorize (pure; refused requests cost nothing),
 *   2. per-key concurrency (in memory, per replica),
 *   3. per-key rate, then per-model rate (shared by all keys: it protects the model),
 *   4. the key's daily quota of requests and samples (inference only, counted last so that
 *      requests refused above do not use it up).
 * It resolves a Release the adapter calls when the response is done, or throws
 * UNAUTHENTICATED / PERMISSION_DENIED, RESOURCE_EXHAUSTED (LimitExceededError, with
 * retryAfterMs for REST's Retry-After) or UNAVAILABLE when the limiter store is down:
 * failing closed, because a limiter that cannot count must not wave requests through.
 */
import { MaasError } from '../../core/errors.ts'
import { LimitExceededError } from './auth-errors.ts'
import type { ConcurrencyLimiter, Release } from './concurrency-limiter.ts'
import { authorize, DEFAULT_POLICY, type Action, type AuthorizationPolicy, type Resource } from './permissions.ts'
import type { Principal } from './principal.ts'
import type { QuotaCounter } from './quota-counter.ts'
import { checkTake, type RateLimiter, type TokenBucketRule } from './rate-limiter.ts'

/** Server-wide limits; each absent one is off. A key's own KeyLimits override the per-key ones. */
export interface GuardLimits {
  /** Per key, every action but the open ones. */
  readonly keyRate?: TokenBucketRule
  /** Per model, inference only, shared by every key. */
  readonly modelRate?: TokenBucketRule
  /** Per-model overrides of modelRate, by model name. */
  readonly modelRates?: Readonly<Record<string, TokenBucketRule>>
  /** Per key per UTC day, inference only. */
  readonly dailyRequests?: number
  readonly dailySamples?: number
  /** Per key, per replica. */
  readonly maxConcurrentPerKey?: number
}

/** What the guard needs to know about one request. */
export interface GuardRequest {
  readonly principal: Principal | undefined
  readonly action: Action
  /** The model (with owner and visibility) or other resource the action touches. */
  readonly resource?: Resource
  /** Samples in an inference request (its batch size); default 1. */
  readonly samples?: number
}

/** Checks one request; resolves the Release of its concurrency slot. */
export type RequestGuard = (request: GuardRequest) => Promise<Release>

/** The stores and settings a guard works with. */
export interface RequestGuardOptions {
  readonly rateLimiter: RateLimiter
  readonly quotas: QuotaCounter
  readonly concurrency: ConcurrencyLimiter
  readonly limits: GuardLimits
  readonly policy?: AuthorizationPolicy
}

/** Actions that count against the model rate and the daily quota. */
const METERED: ReadonlySet<Action> = new Set<Action>(['model.infer'])

const NOTHING_TO_RELEASE: Release = () => {}

/** Builds the guard the adapters call with `await guard({ principal, action, resource, samples })`. */
export function createRequestGuard(options: RequestGuardOptions): RequestGuard {
  const { rateLimiter, quotas, concurrency, limits } = options
  const policy = options.policy ?? DEFAULT_POLICY
  checkGuardLimits(limits)

  return async ({ principal, action, resource = {}, samples = 1 }) => {
    authorize(principal, action, resource, policy)
    // Open actions (health, metrics when open) and anonymous callers are not metered per key.
    if (principal === undefined || action === 'health') return NOTHING_TO_RELEASE
    const own = principal.limits ?? {}
    const who = `key '${principal.name}'`

    const maxConcurrent = own.maxConcurrent ?? limits.maxConcurrentPerKey
    let release = NOTHING_TO_RELEASE
    if (maxConcurrent !== undefined) {
      const acquired = concurrency.tryAcquire(principal.keyId, maxConcurrent)
      if (acquired === undefined) {
        throw new LimitExceededError('concurrency', `${who} already has ${maxConcurrent} requests in flight, its limit`, 1000)
      }
      release = acquired
    }

    try {
      const keyRate = own.rate ?? limits.keyRate
      if (keyRate !== undefined) {
        const decision = await store(() => rateLimiter.take(`key:${principal.keyId}`, 1, keyRate))
        if (!decision.allowed) {
          throw new LimitExceededError('key-rate', `${who} exceeded its rate limit of ${describeRate(keyRate)}`, decision.retryAfterMs)
        }
      }
      if (!METERED.has(action)) return release

      const model = resource.model
      const modelRate = model === undefined ? undefined : (limits.modelRates?.[model] ?? limits.modelRate)
      if (model !== undefined && modelRate !== undefined) {
        const decision = await store(() => rateLimiter.take(`model:${model}`, 1, modelRate))
        if (!decision.allowed) {
          throw new LimitExceededError('model-rate', `model '${model}' exceeded its rate limit of ${describeRate(modelRate)}`, decision.retryAfterMs)
        }
      }

      const quota = { requests: own.dailyRequests ?? limits.dailyRequests, samples: own.dailySamples ?? limits.dailySamples }
      if (quota.requests !== undefined || quota.samples !== undefined) {
        const decision = await store(() => quotas.consume(principal.keyId, { requests: 1, samples }, quota))
        if (!decision.allowed) {
          const limit = decision.exceeded === 'samples' ? quota.samples : quota.requests
          const used = decision.exceeded === 'samples' ? decision.used.samples : decision.used.requests
          throw new LimitExceededError(
            decision.exceeded === 'samples' ? 'daily-samples' : 'daily-requests',
            `${who} reached its daily quota of ${limit} ${decision.exceeded} (${used} used on ${decision.day} UTC)`,
            decision.retryAfterMs,
          )
        }
      }
      return release
    } catch (error) {
      release()
      throw error
    }
  }
}

/** Runs a limiter call; a failure of its store (say Redis is down) becomes UNAVAILABLE. */
async function store<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    if (error instanceof MaasError || error instanceof RangeError) throw error
    throw new MaasError('UNAVAILABLE', 'rate limits cannot be checked right now; retry later', { cause: error })
  }
}

function describeRate(rule: TokenBucketRule): string {
  return `${rule.refillPerSecond} requests/s (burst ${rule.capacity})`
}

/** Throws RangeError for limits that could never let a request through or make no sense. */
export function checkGuardLimits(limits: GuardLimits): void {
  for (const rule of [limits.keyRate, limits.modelRate, ...Object.values(limits.modelRates ?? {})]) {
    if (rule === undefined) continue
    checkTake(1, rule)
    if (rule.capacity < 1) throw new RangeError(`a rate limit's capacity must be at least 1 request, got ${rule.capacity}`)
  }
}
