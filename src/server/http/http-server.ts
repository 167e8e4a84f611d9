/**
 * @module server/http/http-server
 * The REST front end: node:http, the route table, request ids, error mapping and graceful
 * close. Handlers only translate between HTTP and the data plane.
 */
import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import type { Registry } from 'prom-client'
import { DeferredCounter, type CounterChild } from '../../inference/deferred-counter.ts'
import { MaasError, toMaasError } from '../../core/errors.ts'
import type { Release } from '../auth/concurrency-limiter.ts'
import type { Principal } from '../auth/principal.ts'
import type { Security } from '../auth/security.ts'
import type { AuditStore } from '../../registry/audit-store.ts'
import { CorsPolicy } from './cors-policy.ts'
import { routeSecurityOf, type RouteSecurity } from './route-actions.ts'
import type { DataPlane } from '../../inference/data-plane.ts'
import type { ModelService } from '../../control/model-service.ts'
import type { JobService } from '../../control/jobs/job-service.ts'
import type { Logger } from '../logger.ts'
import { HTTP_STATUS, errorBody } from './http-errors.ts'
import { sendJson } from './respond.ts'
import { Router, type Route, type RouteContext, type RouteParams } from './router.ts'
import { healthRoutes } from './routes/health-routes.ts'
import { inferRoutes } from './routes/infer-routes.ts'
import { accessRoutes, type AccessServices } from './routes/key-routes.ts'
import { jobRoutes } from './routes/job-routes.ts'
import { managementRoutes } from './routes/management-routes.ts'
import { metricsRoutes } from './routes/metrics-routes.ts'
import { openApiRoutes } from './openapi/openapi-routes.ts'
import { modelRoutes } from './routes/model-routes.ts'
import { repositoryRoutes } from './routes/repository-routes.ts'
import { statisticsRoutes } from './routes/statistics-routes.ts'
import { tfservingRoutes } from './routes/tfserving-routes.ts'

export interface HttpServerOptions {
  readonly dataPlane: DataPlane
  readonly metrics: Registry
  readonly maxBodyBytes: number
  readonly logger: Logger
  /** The management API (`/v1/registry/…`); absent: not served. */
  readonly models?: ModelService
  /** Training jobs (`/v1/jobs`); absent: not served. */
  readonly jobs?: JobService
  /** API keys, usage and audit (`/v1/keys`, `/v1/usage`, `/v1/audit`); absent: not served. */
  readonly access?: AccessServices
  /** Authentication, authorisation and limits, checked before every handler; absent: none. */
  readonly security?: Security
  /** Origins allowed to call the API from a browser (CORS); empty: no CORS headers. */
  readonly corsOrigins?: readonly string[]
  /** Serve HTTPS with this certificate chain and key (PEM). */
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer }
  /** Time to receive a whole request (node answers 408 after it); 0: none. */
  readonly requestTimeoutMs?: number
}

const REQUEST_ID = /^[\w.:-]{1,128}$/

/** Ids for requests without X-Request-Id: unique per process start, cheaper than a UUID each. */
const REQUEST_ID_PREFIX = randomUUID().slice(0, 8)
let requestCounter = 0

export class HttpServer {
  readonly #server: Server | HttpsServer
  readonly #router = new Router()
  /** Each route's entry in ROUTE_ACTIONS, looked up once. */
  readonly #rules = new Map<Route, RouteSecurity | undefined>()
  readonly #logger: Logger
  readonly #responses: DeferredCounter<'route' | 'status'>
  /** By route pattern, then status. */
  readonly #responseCounters = new Map<string, Map<number, CounterChild>>()
  readonly #security: Security | undefined
  /** The owner of a job, for the policy of the job routes; absent without jobs. */
  readonly #jobOwner: ((id: string) => Promise<string | null>) | undefined
  readonly #audit: AuditStore | undefined
  readonly #cors: CorsPolicy
  #inflight = 0
  #closing = false
  #onIdle: (() => void) | undefined

  constructor({ dataPlane, metrics, maxBodyBytes, logger, models, jobs, access, security, corsOrigins = [], tls, requestTimeoutMs = 300_000 }: HttpServerOptions) {
    this.#logger = logger
    this.#security = security
    this.#jobOwner = jobs ? (id) => jobs.ownerOf(id) : undefined
    this.#audit = access?.audit
    this.#cors = new CorsPolicy(corsOrigins)
    this.#responses = new DeferredCounter({
      name: 'maas_http_responses_total',
      help: 'HTTP responses by route pattern and status code.',
      labelNames: ['route', 'status'] as const,
      registers: [metrics],
    })
    for (const route of [
      ...healthRoutes(dataPlane),
      // Before the model routes: /v2/models/stats is not a model called "stats".
      ...statisticsRoutes(dataPlane),
      ...modelRoutes(dataPlane),
      ...inferRoutes(dataPlane, maxBodyBytes),
      ...repositoryRoutes(dataPlane),
      ...tfservingRoutes(dataPlane, maxBodyBytes),
      ...metricsRoutes(metrics),
      ...(models ? [...managementRoutes(models), ...openApiRoutes()] : []),
      ...(jobs ? jobRoutes(jobs) : []),
      ...(access ? accessRoutes(access) : []),
    ]) {
      this.#router.add(route)
    }
    for (const route of this.#router.routes) this.#rules.set(route, routeSecurityOf(route.method, route.pattern))
    const handler = (request: IncomingMessage, response: ServerResponse) => void this.#handle(request, response)
    const timeouts = { keepAliveTimeout: 65_000, requestTimeout: requestTimeoutMs }
    this.#server = tls ? createHttpsServer({ cert: tls.cert, key: tls.key, ...timeouts }, handler) : createServer(timeouts, handler)
  }

  /** Every route the server answers, for docs and for tests that check each one. */
  get routes(): readonly Route[] {
    return this.#router.routes
  }

  listen(port: number, host: string): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject)
      this.#server.listen(port, host, () => {
        this.#server.off('error', reject)
        resolve(this.#server.address() as AddressInfo)
      })
    })
  }

  /** Stops accepting connections, lets in-flight requests finish (up to timeoutMs), then closes all sockets. */
  async close(timeoutMs: number): Promise<void> {
    this.#closing = true
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()))
    this.#server.closeIdleConnections()
    if (this.#inflight > 0) {
      await Promise.race([
        new Promise<void>((resolve) => (this.#onIdle = resolve)),
        new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref()),
      ])
    }
    this.#server.closeAllConnections()
    await closed
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    this.#inflight++
    const header = request.headers['x-request-id']
    const requestId = typeof header === 'string' && REQUEST_ID.test(header) ? header : `${REQUEST_ID_PREFIX}-${(++requestCounter).toString(36)}`
    response.setHeader('X-Request-Id', requestId)
    const url = request.url ?? '/'
    const query = url.indexOf('?')
    const pathname = query === -1 ? url : url.slice(0, query)
    const match = this.#router.match(request.method ?? 'GET', pathname)
    let routeLabel = 'unmatched'
    let context: HandlerContext | undefined
    let auditActor: string | undefined
    const rule = match.kind === 'found' ? this.#rules.get(match.route) : undefined
    try {
      if (this.#cors.handle(request, response)) {
        // a CORS preflight, answered
      } else if (this.#closing) {
        // A request that starts on a kept-alive connection after close() began: refuse it and
        // close the connection, while the requests already being handled finish.
        response.setHeader('Connection', 'close')
        sendJson(response, 503, errorBody('the server is shutting down'))
      } else if (match.kind === 'not-found') {
        sendJson(response, 404, errorBody(`no route for ${request.method} ${pathname}`))
      } else if (match.kind === 'method-not-allowed') {
        response.setHeader('Allow', match.allowed.join(', '))
        sendJson(response, 405, errorBody(`method ${request.method} is not allowed on ${pathname}; allowed: ${match.allowed.join(', ')}`))
      } else {
        routeLabel = match.route.pattern
        const security = this.#security
        // A route without an entry in ROUTE_ACTIONS is refused rather than left unguarded.
        if (security && !rule) throw new MaasError('PERMISSION_DENIED', `route ${match.route.method} ${match.route.pattern} has no access rule`)
        const principal = security && rule ? await security.identify(request.headers.authorization, rule.action) : undefined
        auditActor = principal?.name
        context = new HandlerContext(request, response, match.params, requestId, principal, security, rule, this.#jobOwner)
        // Inference routes meter in their handler, once the sample count is known; authorise now.
        if (!rule?.admitsInHandler) await context.admit()
        else await security?.authorize(principal, rule.action, rule.model ? match.params[rule.model] : undefined)
        await match.route.handler(context)
      }
    } catch (thrown) {
      this.#sendError(request, response, thrown, requestId)
    } finally {
      context?.release?.()
      if (rule?.audit && match.kind === 'found') this.#auditAction(request, match.route, rule, match.params, response.statusCode, auditActor)
      this.#countResponse(routeLabel, response.statusCode)
      if (--this.#inflight === 0) this.#onIdle?.()
    }
  }

  /** Audits the management actions no service audits itself (repository control, jobs): who, what, result. */
  #auditAction(request: IncomingMessage, route: Route, rule: RouteSecurity, params: RouteParams, status: number, actor: string | undefined): void {
    if (!this.#audit) return
    const result = status < 400 ? 'success' : status === 401 || status === 403 ? 'denied' : 'failure'
    const target = params.model ?? params.id ?? route.pattern
    void this.#audit
      .append({ actor: actor ?? 'anonymous', action: rule.action, target, result, details: { method: request.method, path: request.url, status } })
      .catch((error: Error) => this.#logger.warn({ reason: error.message }, 'audit entry not written'))
  }

  #countResponse(route: string, status: number): void {
    let byStatus = this.#responseCounters.get(route)
    if (!byStatus) this.#responseCounters.set(route, (byStatus = new Map()))
    let counter = byStatus.get(status)
    if (!counter) byStatus.set(status, (counter = this.#responses.labels(route, String(status))))
    counter.inc()
  }

  #sendError(request: IncomingMessage, response: ServerResponse, thrown: unknown, requestId: string): void {
    const error = toMaasError(thrown)
    const status = HTTP_STATUS[error.code]
    if (error.code === 'INTERNAL') {
      this.#logger.error({ requestId, method: request.method, url: request.url, err: error.cause ?? error }, 'request failed')
    } else {
      this.#logger.info({ requestId, method: request.method, url: request.url, status, error: error.message }, 'request rejected')
    }
    if (response.headersSent) {
      response.destroy()
      return
    }
    const retryAfter = (error as { retryAfterSeconds?: number }).retryAfterSeconds
    if (status === 429 && retryAfter !== undefined) response.setHeader('Retry-After', String(retryAfter))
    if (status === 413) {
      // The rest of an oversized body is not read; close the connection instead of draining it.
      response.setHeader('Connection', 'close')
      response.once('finish', () => request.destroy())
    }
    sendJson(response, status, errorBody(error.message))
  }
}

/**
 * The RouteContext of one request; it keeps the release of the limits the request was
 * admitted with, for the server to call when the response is done. `admit` is an own property
 * (handlers destructure it) assigned in the constructor: a named closure would cost an
 * Object.defineProperty call per request under tsx's keepNames.
 */
class HandlerContext implements RouteContext {
  release: Release | undefined
  readonly admit: (samples?: number) => Promise<void>

  constructor(
    readonly request: IncomingMessage,
    readonly response: ServerResponse,
    readonly params: RouteParams,
    readonly requestId: string,
    readonly principal: Principal | undefined,
    security: Security | undefined,
    rule: RouteSecurity | undefined,
    jobOwner: ((id: string) => Promise<string | null>) | undefined,
  ) {
    if (!security || !rule) {
      this.admit = admitNothing
      return
    }
    this.admit = (samples) => {
      const model = rule.model ? params[rule.model] : undefined
      const scoped = principal !== undefined && principal.role !== 'admin'
      // Reading one's own usage or jobs: non-admin keys are scoped to themselves (the handlers filter too).
      const resource = scoped && rule.ownUsage ? { keyId: principal.keyId } : scoped && rule.ownJobs ? { owner: principal.name } : undefined
      const options = { ...(model ? { model } : {}), ...(resource ? { resource } : {}), ...(samples !== undefined ? { samples } : {}) }
      // A job's owner is looked up only for the keys the policy will ask it about.
      if (scoped && rule.job && jobOwner) {
        return jobOwner(params[rule.job]!).then((owner) => security.admit(principal, rule.action, { ...options, resource: { owner } })).then((release) => {
          this.release = release
        })
      }
      return security.admit(principal, rule.action, options).then((release) => {
        this.release = release
      })
    }
  }
}

const ADMITTED: Promise<void> = Promise.resolve()

function admitNothing(): Promise<void> {
  return ADMITTED
}
