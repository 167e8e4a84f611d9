/**
 * @module server/http/sse-stream
 * Server-Sent Events on a node:http response: `event:` + `data:` frames, a comment every
 * `heartbeatMs` so proxies and clients keep an idle stream open, and one close hook for
 * whichever side ends it first.
 */
import type { ServerResponse } from 'node:http'

export class SseStream {
  readonly #response: ServerResponse
  readonly #heartbeat: NodeJS.Timeout
  readonly #onClose: (() => void)[] = []
  #closed = false

  /** Sends the 200 and the event-stream headers at once. */
  constructor(response: ServerResponse, { heartbeatMs = 15_000 }: { heartbeatMs?: number } = {}) {
    this.#response = response
    response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    })
    response.flushHeaders()
    this.#heartbeat = setInterval(() => this.comment('keep-alive'), heartbeatMs)
    this.#heartbeat.unref()
    response.once('close', () => this.#finish())
  }

  get closed(): boolean {
    return this.#closed
  }

  /** One event; `data` is sent as JSON on one line. */
  send(event: string, data: unknown): void {
    if (this.#closed) return
    this.#response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
  }

  comment(text: string): void {
    if (!this.#closed) this.#response.write(`: ${text}\n\n`)
  }

  /** Runs `hook` once when the stream ends, by close() or by the client going away. */
  onClose(hook: () => void): void {
    if (this.#closed) hook()
    else this.#onClose.push(hook)
  }

  close(): void {
    if (this.#closed) return
    this.#response.end()
    this.#finish()
  }

  #finish(): void {
    if (this.#closed) return
    this.#closed = true
    clearInterval(this.#heartbeat)
    for (const hook of this.#onClose.splice(0)) hook()
  }
}
