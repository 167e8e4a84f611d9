/**
 * @module cli/keys/access-client
 * The CLI's HTTP client for `/v1/keys`, `/v1/usage` and `/v1/audit`: sends the API key as
 * `Authorization: Bearer`, parses JSON answers, and turns `{"error"}` bodies and unreachable
 * servers into AccessRequestError with a message fit for the terminal.
 */
import { ServerRequestError, sendServerRequest } from '../server-request.ts'

/** A request the server refused (status set) or that never reached it (status 0). */
export class AccessRequestError extends ServerRequestError {}

export interface AccessClientOptions {
  /** e.g. http://127.0.0.1:8000 */
  readonly url: string
  readonly apiKey?: string
}

/** Default server address of the client commands. */
export const DEFAULT_URL = 'http://127.0.0.1:8000'

export class AccessClient {
  readonly #base: string
  readonly #headers: Record<string, string>

  constructor({ url, apiKey }: AccessClientOptions) {
    this.#base = url.replace(/\/+$/, '')
    this.#headers = apiKey ? { Authorization: `Bearer ${apiKey}` } : {}
  }

  /** `path` from the server root (e.g. `/v1/keys`); JSON in and out. */
  async call(method: string, path: string, body?: unknown): Promise<any> {
    const headers = body === undefined ? this.#headers : { ...this.#headers, 'Content-Type': 'application/json' }
    return sendServerRequest(this.#base, `${this.#base}${path}`, { method, headers, body: body === undefined ? null : JSON.stringify(body) }, (status, message) => new AccessRequestError(status, message))
  }
}

/** Query string of the given parameters, skipping undefined ones; '' when none. */
export function queryString(parameters: Readonly<Record<string, string | undefined>>): string {
  const query = new URLSearchParams()
  for (const [name, value] of Object.entries(parameters)) if (value !== undefined) query.set(name, value)
  const text = query.toString()
  return text === '' ? '' : `?${text}`
}

/** Where a client command prints and which environment it reads (tests pass their own). */
export interface CommandIo {
  readonly stdout: (text: string) => void
  readonly stderr: (text: string) => void
  readonly env: NodeJS.ProcessEnv
}

export const PROCESS_IO: CommandIo = {
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
  env: process.env,
}

/** The client for `--url` / MAAS_URL and `--api-key` / MAAS_API_KEY. */
export function clientFor(values: { readonly url?: string | undefined; readonly 'api-key'?: string | undefined }, env: NodeJS.ProcessEnv): AccessClient {
  const apiKey = values['api-key'] ?? env.MAAS_API_KEY
  return new AccessClient({ url: values.url ?? env.MAAS_URL ?? DEFAULT_URL, ...(apiKey ? { apiKey } : {}) })
}
