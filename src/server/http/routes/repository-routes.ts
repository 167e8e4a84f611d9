/**
 * @module server/http/routes/repository-routes
 * Triton's model repository extension: index, load (or reload), unload. Load and unload
 * never drop a request in flight (see runtime/model-manager).
 */
import { InvalidArgumentError } from '../../../core/errors.ts'
import type { DataPlane } from '../../../inference/data-plane.ts'
import { repositoryState } from '../../../inference/repository-state.ts'
import { JSON_MEDIA_TYPES, checkContentType, parseJsonObject, readBody } from '../read-body.ts'
import { sendEmpty, sendJson } from '../respond.ts'
import type { Route } from '../router.ts'

/** Control bodies are small; a larger one is a mistake, not a model upload. */
const CONTROL_BODY_LIMIT = 64 * 1024

export function repositoryRoutes(dataPlane: DataPlane): Route[] {
  return [
    {
      method: 'POST',
      pattern: '/v2/repository/index',
      protocol: 'kserve',
      handler: async ({ request, response }) => {
        checkContentType(request, JSON_MEDIA_TYPES)
        const body = parseJsonObject(await readBody(request, CONTROL_BODY_LIMIT), 'repository index')
        if (body.ready !== undefined && typeof body.ready !== 'boolean') {
          throw new InvalidArgumentError('repository index: "ready" must be a boolean')
        }
        const entries = (await dataPlane.repositoryIndex())
          .filter((entry) => !body.ready || entry.state === 'READY')
          .map((entry) => ({ name: entry.name, ...(entry.version ? { version: entry.version } : {}), state: repositoryState(entry.state), reason: entry.reason ?? '' }))
        sendJson(response, 200, JSON.stringify(entries))
      },
    },
    {
      method: 'POST',
      pattern: '/v2/repository/models/{model}/load',
      protocol: 'kserve',
      handler: async ({ request, response, params }) => {
        checkContentType(request, JSON_MEDIA_TYPES)
        const body = parseJsonObject(await readBody(request, CONTROL_BODY_LIMIT), 'model load')
        const overrides = Object.keys(parametersOf(body, 'model load'))
        if (overrides.length > 0) {
          throw new InvalidArgumentError(
            `model load: parameters ${overrides.join(', ')} are not supported; maas loads the model from the repository folder`,
          )
        }
        await dataPlane.loadModel(params.model!)
        sendEmpty(response)
      },
    },
    {
      method: 'POST',
      pattern: '/v2/repository/models/{model}/unload',
      protocol: 'kserve',
      handler: async ({ request, response, params }) => {
        checkContentType(request, JSON_MEDIA_TYPES)
        const body = parseJsonObject(await readBody(request, CONTROL_BODY_LIMIT), 'model unload')
        parametersOf(body, 'model unload')
        await dataPlane.unloadModel(params.model!)
        sendEmpty(response)
      },
    },
  ]
}

function parametersOf(body: Record<string, unknown>, what: string): Record<string, unknown> {
  const parameters = body.parameters ?? {}
  if (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters)) {
    throw new InvalidArgumentError(`${what}: "parameters" must be an object`)
  }
  const { unload_dependents: _ignored, ...rest } = parameters as Record<string, unknown>
  return rest
}
