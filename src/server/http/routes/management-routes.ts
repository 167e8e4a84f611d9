/**
 * @module server/http/routes/management-routes
 * The management REST API under `/v1/registry/` (TF Serving owns `/v1/models/`): models,
 * versions (uploads in routes/management-upload), aliases, lineage and model cards. Handlers
 * only translate JSON to ModelService calls; errors become `{"error"}` in http-server.
 * Documented in docs/management-api.md and the OpenAPI document at `/v1/openapi.json`.
 */
import type { IncomingMessage } from 'node:http'
import { InvalidArgumentError } from '../../../core/errors.ts'
import {
  asObject, parseAliasRequest, parseMetrics, parseModelPatch, parseNewModel, parseVersionNumber,
} from '../../../control/model-service-input.ts'
import type { ModelService } from '../../../control/model-service.ts'
import type { ModelFilter, Visibility } from '../../../registry/model-store.ts'
import { VERSION_STATUSES, type VersionStatus } from '../../../registry/version-store.ts'
import { JSON_MEDIA_TYPES, checkContentType, parseJsonObject, readBody } from '../read-body.ts'
import { sendBody, sendEmpty, sendJson } from '../respond.ts'
import type { Route, RouteContext } from '../router.ts'
import { handleUpload } from './management-upload.ts'

/** Control bodies are small; a model card may be a long document. */
const JSON_BODY_LIMIT = 256 * 1024
const CARD_LIMIT = 1024 * 1024
const PREFIX = '/v1/registry/models'

/** Who is calling: the API key's name when the server authenticates, else 'anonymous'. */
function actorOf(context: RouteContext): string {
  return context.principal?.name ?? 'anonymous'
}

async function jsonBody(request: IncomingMessage, what: string): Promise<Record<string, unknown>> {
  checkContentType(request, JSON_MEDIA_TYPES)
  return parseJsonObject(await readBody(request, JSON_BODY_LIMIT), what)
}

function queryOf(request: IncomingMessage): URLSearchParams {
  return new URL(request.url ?? '/', 'http://localhost').searchParams
}

const send = (context: RouteContext, status: number, value: unknown) => sendJson(context.response, status, JSON.stringify(value))

export function managementRoutes(service: ModelService): Route[] {
  const route = (method: Route['method'], path: string, handler: (context: RouteContext) => Promise<void>): Route =>
    ({ method, pattern: `${PREFIX}${path}`, protocol: 'maas', handler })
  const version = (context: RouteContext) => parseVersionNumber(context.params.version!)
  return [
    route('GET', '', async (context) => {
      const models = await service.listModels(modelFilterOf(queryOf(context.request)))
      send(context, 200, { models })
    }),
    route('POST', '', async (context) => {
      const model = await service.createModel(parseNewModel(await jsonBody(context.request, 'create model')), actorOf(context))
      context.response.setHeader('Location', `${PREFIX}/${encodeURIComponent(model.name)}`)
      send(context, 201, model)
    }),
    route('GET', '/{model}', async (context) => send(context, 200, await service.getModel(context.params.model!))),
    route('PATCH', '/{model}', async (context) => {
      const patch = parseModelPatch(await jsonBody(context.request, 'update model'), context.params.model!)
      send(context, 200, await service.updateModel(context.params.model!, patch, actorOf(context)))
    }),
    route('DELETE', '/{model}', async (context) => {
      await service.deleteModel(context.params.model!, actorOf(context))
      sendEmpty(context.response, 204)
    }),
    route('GET', '/{model}/versions', async (context) => {
      const statuses = statusesOf(queryOf(context.request))
      send(context, 200, { versions: await service.listVersions(context.params.model!, statuses) })
    }),
    route('POST', '/{model}/versions', (context) => handleUpload(service, context, actorOf(context))),
    route('GET', '/{model}/versions/{version}', async (context) => send(context, 200, await service.getVersion(context.params.model!, version(context)))),
    route('PATCH', '/{model}/versions/{version}', async (context) => {
      const number = version(context)
      const patch = parseVersionPatch(await jsonBody(context.request, 'update version'))
      send(context, 200, await service.updateVersion(context.params.model!, number, patch, actorOf(context)))
    }),
    route('DELETE', '/{model}/versions/{version}', async (context) => {
      await service.deleteVersion(context.params.model!, version(context), actorOf(context))
      sendEmpty(context.response, 204)
    }),
    route('GET', '/{model}/aliases', async (context) => send(context, 200, { aliases: await service.listAliases(context.params.model!) })),
    route('GET', '/{model}/aliases/{alias}', async (context) => send(context, 200, await service.getAlias(context.params.model!, context.params.alias!))),
    route('PUT', '/{model}/aliases/{alias}', async (context) => {
      const target = parseAliasRequest(await jsonBody(context.request, 'set alias'))
      send(context, 200, await service.setAlias(context.params.model!, context.params.alias!, target, actorOf(context)))
    }),
    route('DELETE', '/{model}/aliases/{alias}', async (context) => {
      await service.deleteAlias(context.params.model!, context.params.alias!, actorOf(context))
      sendEmpty(context.response, 204)
    }),
    route('GET', '/{model}/lineage', async (context) => send(context, 200, await service.lineage(context.params.model!))),
    route('GET', '/{model}/card', async (context) => {
      const card = await service.getCard(context.params.model!)
      if (/\btext\/markdown\b/i.test(context.request.headers.accept ?? '')) {
        sendBody(context.response, 200, card.markdown, { 'Content-Type': 'text/markdown; charset=utf-8' })
      } else {
        send(context, 200, card)
      }
    }),
    route('PUT', '/{model}/card', async (context) => {
      const markdown = await cardBody(context.request)
      send(context, 200, await service.putCard(context.params.model!, markdown, actorOf(context)))
    }),
  ]
}

function modelFilterOf(query: URLSearchParams): ModelFilter {
  const labels: Record<string, string> = {}
  for (const label of query.getAll('label')) {
    const equals = label.indexOf('=')
    if (equals <= 0) throw new InvalidArgumentError(`query: label '${label}' must be KEY=VALUE`)
    labels[label.slice(0, equals)] = label.slice(equals + 1)
  }
  const limit = query.get('limit')
  if (limit !== null && !/^\d{1,4}$/.test(limit)) throw new InvalidArgumentError(`query: limit '${limit}' must be an integer from 0 to 9999`)
  const filter: Record<string, unknown> = {
    owner: query.get('owner') ?? undefined,
    visibility: (query.get('visibility') ?? undefined) as Visibility | undefined,
    task: query.get('task') ?? undefined,
    after: query.get('after') ?? undefined,
    limit: limit === null ? undefined : Number(limit),
    labels: Object.keys(labels).length > 0 ? labels : undefined,
  }
  return Object.fromEntries(Object.entries(filter).filter(([, value]) => value !== undefined)) as ModelFilter
}

function statusesOf(query: URLSearchParams): VersionStatus[] | undefined {
  const text = query.get('status')
  if (text === null) return undefined
  const statuses = text.split(',').map((status) => status.trim().toUpperCase())
  for (const status of statuses) {
    if (!(VERSION_STATUSES as readonly string[]).includes(status)) throw new InvalidArgumentError(`query: status '${status}' must be one of ${VERSION_STATUSES.join(', ')}`)
  }
  return statuses as VersionStatus[]
}

function parseVersionPatch(body: Record<string, unknown>): { metrics?: Record<string, number>; status?: 'READY' | 'ARCHIVED' } {
  for (const key of Object.keys(body)) {
    if (key !== 'metrics' && key !== 'status') throw new InvalidArgumentError(`update version: unknown field '${key}'; known fields: metrics, status`)
  }
  if (body.status !== undefined && body.status !== 'READY' && body.status !== 'ARCHIVED') {
    throw new InvalidArgumentError('update version: "status" must be READY or ARCHIVED')
  }
  return {
    ...(body.metrics !== undefined ? { metrics: parseMetrics(body.metrics, 'update version: "metrics"') } : {}),
    ...(body.status !== undefined ? { status: body.status as 'READY' | 'ARCHIVED' } : {}),
  }
}

/** A card as raw markdown (text/markdown, text/plain) or JSON `{"markdown": "..."}`. */
async function cardBody(request: IncomingMessage): Promise<string> {
  checkContentType(request, ['text/markdown', 'text/plain', 'application/json'])
  const body = await readBody(request, CARD_LIMIT)
  const mediaType = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
  if (mediaType !== 'application/json' && !mediaType.endsWith('+json')) return body.toString('utf8')
  const markdown = asObject(parseJsonObject(body, 'model card'), 'model card').markdown
  if (typeof markdown !== 'string') throw new InvalidArgumentError('model card: "markdown" must be a string')
  return markdown
}
