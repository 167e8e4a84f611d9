/**
 * @module server/http/routes/job-routes
 * Training jobs: `POST /v1/jobs` (validated in full: 400 with the reason, 201 with the
 * queued job), `GET /v1/jobs[?status=&limit=]`, `GET /v1/jobs/{id}`, `POST
 * /v1/jobs/{id}/cancel` (or `DELETE /v1/jobs/{id}`), and `GET /v1/jobs/{id}/events`, a
 * Server-Sent Events stream of the job's state, progress, epochs and checkpoints that ends
 * with `done`, `failed` or `cancelled`.
 */
import { InvalidArgumentError } from '../../../core/errors.ts'
import { isFinalEvent } from '../../../control/jobs/job-event-bus.ts'
import type { JobService } from '../../../control/jobs/job-service.ts'
import { JSON_MEDIA_TYPES, checkContentType, parseJsonObject, readBody } from '../read-body.ts'
import { sendJson } from '../respond.ts'
import type { Route, RouteContext } from '../router.ts'
import { SseStream } from '../sse-stream.ts'

/** A job body holds a model spec: larger than a control body, far below a model upload. */
const JOB_BODY_LIMIT = 4 * 1024 * 1024

export function jobRoutes(jobs: JobService): Route[] {
  const cancel = async ({ response, params }: RouteContext) => sendJson(response, 200, JSON.stringify(await jobs.cancel(params.id!)))
  return [
    {
      method: 'POST',
      pattern: '/v1/jobs',
      protocol: 'maas',
      handler: async ({ request, response, principal }) => {
        checkContentType(request, JSON_MEDIA_TYPES)
        const authenticated = principal !== undefined && principal.keyId !== 'anonymous'
        const job = await jobs.submit(parseJsonObject(await readBody(request, JOB_BODY_LIMIT), 'job'), authenticated ? principal.name : null, { admin: !authenticated || principal.role === 'admin' })
        response.setHeader('Location', `/v1/jobs/${encodeURIComponent(job.id)}`)
        sendJson(response, 201, JSON.stringify(job))
      },
    },
    {
      method: 'GET',
      pattern: '/v1/jobs',
      protocol: 'maas',
      handler: async ({ request, response, principal }) => {
        const query = new URL(request.url ?? '/', 'http://localhost').searchParams
        const limit = query.get('limit')
        if (limit !== null && !/^\d{1,4}$/.test(limit)) throw new InvalidArgumentError(`limit '${limit}' must be an integer from 0 to 9999`)
        // Keys other than admin keys see the jobs they submitted.
        const owner = principal !== undefined && principal.role !== 'admin' ? { owner: principal.name } : {}
        const list = await jobs.list({ ...(query.get('status') ? { status: query.get('status')! } : {}), ...(limit !== null ? { limit: Number(limit) } : {}), ...owner })
        sendJson(response, 200, JSON.stringify({ jobs: list }))
      },
    },
    {
      method: 'GET',
      pattern: '/v1/jobs/{id}',
      protocol: 'maas',
      handler: async ({ response, params }) => sendJson(response, 200, JSON.stringify(await jobs.get(params.id!))),
    },
    { method: 'DELETE', pattern: '/v1/jobs/{id}', protocol: 'maas', handler: cancel },
    { method: 'POST', pattern: '/v1/jobs/{id}/cancel', protocol: 'maas', handler: cancel },
    {
      method: 'GET',
      pattern: '/v1/jobs/{id}/events',
      protocol: 'maas',
      // Returns once the stream is set up: an open stream must not hold a graceful shutdown.
      handler: async ({ response, params }) => {
        await jobs.get(params.id!) // 404 as JSON before the stream starts
        const stream = new SseStream(response)
        const stop = await jobs.follow(params.id!, (event) => {
          stream.send(event.type, event.data)
          if (isFinalEvent(event)) setImmediate(() => stream.close())
        })
        stream.onClose(stop)
      },
    },
  ]
}
