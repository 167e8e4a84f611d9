/**
 * @module cli/models/management-client
 * The CLI's HTTP client for the management API: one request helper that sends the API key as
 * `Authorization: Bearer`, parses JSON answers and turns `{"error"}` bodies and unreachable
 * servers into ManagementRequestError with a message fit for the terminal.
 */
import { openAsBlob } from 'node:fs'
import { ServerRequestError, sendServerRequest } from '../server-request.ts'

/** A request the server refused (status set) or that never reached it (status 0). */
export class ManagementRequestError extends ServerRequestError {}

export interface ClientOptions {
  /** e.g. http://127.0.0.1:8000 */
  readonly url: string
  readonly apiKey?: string
}

/** A file-backed Blob that fetch streams from disk; a ManagementRequestError when unreadable. */
export async function openUploadFile(file: string): Promise<Blob> {
  try {
    return await openAsBlob(file)
  } catch (error) {
    throw new ManagementRequestError(0, `cannot read ${file}: ${(error as Error).message}`)
  }
}

export class ManagementClient {
  readonly #base: string
  readonly #headers: Record<string, string>

  constructor({ url, apiKey }: ClientOptions) {
    this.#base = url.replace(/\/+$/, '')
    this.#headers = apiKey ? { Authorization: `Bearer ${apiKey}` } : {}
  }

  /** `path` below /v1/registry/models; JSON in and out; undefined for 204. */
  async call(method: string, path: string, body?: unknown): Promise<any> {
    return this.#send(method, path, body === undefined ? {} : { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } })
  }

  /** Streams a file (see openUploadFile) as a new version of `model`. */
  async upload(model: string, blob: Blob, metadata: Record<string, unknown>): Promise<any> {
    const query = Object.keys(metadata).length > 0 ? `?metadata=${encodeURIComponent(JSON.stringify(metadata))}` : ''
    return this.#send('POST', `/${encodeURIComponent(model)}/versions${query}`, { body: blob, headers: { 'Content-Type': 'application/octet-stream' } })
  }

  async #send(method: string, path: string, init: { body?: string | Blob; headers?: Record<string, string> }): Promise<any> {
    const url = `${this.#base}/v1/registry/models${path}`
    return sendServerRequest(this.#base, url, { method, body: init.body ?? null, headers: { ...this.#headers, ...init.headers } }, (status, message) => new ManagementRequestError(status, message))
  }
}
