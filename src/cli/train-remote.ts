/**
 * @module cli/train-remote
 * `maas train --remote URL`: submits the job to a server's `POST /v1/jobs`, follows its
 * `/v1/jobs/{id}/events` stream (re-connecting if the server restarts mid-job, which it
 * survives) and reports progress like local training. The API key, when given, goes with
 * every request as `Authorization: Bearer`. Exit code 0 once the trained version is
 * registered, 1 when the job failed or was cancelled; a job the server refuses is a usage
 * error (2) with the server's message.
 */
import { InvalidArgumentError, MaasError } from '../core/errors.ts'
import type { EpochLogs, ProgressLogs } from '../training/trainer/trainer.ts'
import { sendServerRequest } from './server-request.ts'

/** Draws progress (the local command's progress bar). */
export interface RemoteReporter {
  progress(logs: ProgressLogs, epochs: number): void
  epoch(logs: EpochLogs, epochs: number): void
}

export interface RemoteTrainOptions {
  /** One JSON object per event line on stdout instead of the progress bar. */
  readonly json: boolean
  /** Sent as `Authorization: Bearer` on every request (the submit and the event stream). */
  readonly apiKey?: string
  readonly reporter?: RemoteReporter
  /** How long to keep re-connecting to a server that went away (default 2 minutes). */
  readonly reconnectForMs?: number
}

interface SseEvent {
  readonly event: string
  readonly data: any
}

export async function runRemoteTrain(baseUrl: string, job: Record<string, unknown>, options: RemoteTrainOptions): Promise<number> {
  const base = baseUrl.replace(/\/+$/, '')
  const auth: Record<string, string> = options.apiKey ? { Authorization: `Bearer ${options.apiKey}` } : {}
  const refused = (status: number, message: string) =>
    status === 400
      ? new InvalidArgumentError(`the server refused the job: ${message}`)
      : new MaasError('UNAVAILABLE', status === 0 ? message : `POST ${base}/v1/jobs: ${message}${keyHint(status, options)}`)
  const body = (await sendServerRequest(base, `${base}/v1/jobs`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify(job) }, refused)) as { id?: unknown } | undefined
  if (typeof body?.id !== 'string') throw new MaasError('UNAVAILABLE', `POST ${base}/v1/jobs answered without a job id`)
  const id = body.id
  if (options.json) console.log(JSON.stringify({ job: id, status: 'QUEUED' }))
  else process.stderr.write(`job ${id} queued on ${base} (cancel: curl -X POST${options.apiKey ? ' -H "Authorization: Bearer <API key>"' : ''} ${base}/v1/jobs/${id}/cancel)\n`)
  const deadline = () => Date.now() + (options.reconnectForMs ?? 120_000)
  let giveUpAt = deadline()
  for (;;) {
    let final: SseEvent | undefined
    try {
      for await (const event of readEvents(`${base}/v1/jobs/${encodeURIComponent(id)}/events`, auth)) {
        giveUpAt = deadline()
        report(event, options)
        if (event.event === 'done' || event.event === 'failed' || event.event === 'cancelled') {
          final = event
          break
        }
      }
    } catch (error) {
      // A refused key stays refused: re-connecting would only repeat the answer for two minutes.
      if (error instanceof EventsRefusedError) throw new MaasError('UNAVAILABLE', `${error.message}${keyHint(error.status, options)}; job ${id} was queued and runs on the server`)
      if (Date.now() > giveUpAt) throw new MaasError('UNAVAILABLE', `lost ${base} while following job ${id}: ${(error as Error).message}`)
    }
    if (final) return finish(final, options)
    if (Date.now() > giveUpAt) throw new MaasError('UNAVAILABLE', `lost ${base} while following job ${id}`)
    await new Promise((resolve) => setTimeout(resolve, 1000))
  }
}

/** Why a 401 happened, when the command line is the likely cause. */
function keyHint(status: number, options: RemoteTrainOptions): string {
  return status === 401 && !options.apiKey ? ' (give an API key with --api-key or MAAS_API_KEY)' : ''
}

/** The event stream answered 401 or 403. */
class EventsRefusedError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

function report(event: SseEvent, options: RemoteTrainOptions): void {
  const data = event.data
  if (options.json) {
    if (event.event === 'epoch') console.log(JSON.stringify({ epoch: data.epoch, loss: data.loss, ...data.metrics, samples_per_second: data.samplesPerSecond, seconds: data.seconds }))
    return
  }
  if (event.event === 'progress') options.reporter?.progress(data as ProgressLogs, data.epochs as number)
  else if (event.event === 'epoch') options.reporter?.epoch(data as EpochLogs, data.epochs as number)
  else if (event.event === 'status' && data.progress?.resumedFromEpoch > 0 && data.status === 'RUNNING') {
    process.stderr.write(`resumed from the checkpoint of epoch ${data.progress.resumedFromEpoch}\n`)
  }
}

function finish(event: SseEvent, options: RemoteTrainOptions): number {
  const job = event.data as { id: string; status: string; error: string | null; result?: { model: string; version: number; alias: string | null; metrics: Record<string, number> } }
  if (options.json) console.log(JSON.stringify({ job: job.id, status: job.status, ...(job.result ? { model: job.result.model, version: job.result.version, alias: job.result.alias, ...job.result.metrics } : {}), ...(job.error ? { error: job.error } : {}) }))
  if (event.event !== 'done' || !job.result) {
    if (!options.json) console.error(`job ${job.id} ${job.status.toLowerCase()}${job.error ? `: ${job.error}` : ''}`)
    return 1
  }
  const { model, version, alias, metrics } = job.result
  if (!options.json) console.log(`${model}@${version}${alias ? ` (alias ${alias})` : ''}: test loss ${(metrics.test_loss ?? NaN).toFixed(4)}, test accuracy ${(metrics.test_accuracy ?? NaN).toFixed(4)}`)
  return 0
}

/** Server-Sent Events from a GET, one parsed event at a time; comments are skipped. */
async function* readEvents(url: string, auth: Record<string, string>): AsyncGenerator<SseEvent> {
  const response = await fetch(url, { headers: { ...auth, Accept: 'text/event-stream' } })
  if (response.status === 401 || response.status === 403) {
    const body = (await response.json().catch(() => ({}))) as { error?: string }
    throw new EventsRefusedError(response.status, `GET ${url} answered ${response.status}: ${body.error ?? ''}`)
  }
  if (!response.ok || !response.body) throw new Error(`GET ${url} answered ${response.status}`)
  const decoder = new TextDecoder()
  let buffer = ''
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true })
    let end: number
    while ((end = buffer.indexOf('\n\n')) !== -1) {
      const frame = buffer.slice(0, end)
      buffer = buffer.slice(end + 2)
      let event = 'message'
      const data: string[] = []
      for (const line of frame.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim()
        else if (line.startsWith('data:')) data.push(line.slice(5).trimStart())
      }
      if (data.length > 0) yield { event, data: JSON.parse(data.join('\n')) }
    }
  }
}
