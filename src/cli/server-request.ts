/**
 * @module cli/server-request
 * One HTTP request from a CLI command to a maas server: JSON (or a stream) in, parsed JSON
 * out, and the server's `{"error"}` message — or why the server could not be reached — as a
 * ServerRequestError carrying the HTTP status (0 when unreachable).
 */

export class ServerRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
    this.name = new.target.name
  }
}

export async function sendServerRequest(
  base: string,
  url: string,
  init: { method: string; body?: string | Blob | null; headers?: Record<string, string> },
  makeError: (status: number, message: string) => Error = (status, message) => new ServerRequestError(status, message),
): Promise<any> {
  let response: Response
  try {
    response = await fetch(url, { method: init.method, body: init.body ?? null, headers: init.headers ?? {} })
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause
    throw makeError(0, `cannot reach ${base}: ${cause?.code ?? cause?.message ?? (error as Error).message}`)
  }
  const text = await response.text()
  let parsed: any
  try {
    parsed = text === '' ? undefined : JSON.parse(text)
  } catch {
    parsed = undefined
  }
  if (!response.ok) {
    const message = typeof parsed?.error === 'string' ? parsed.error : text.slice(0, 200) || response.statusText
    throw makeError(response.status, `${message} (HTTP ${response.status})`)
  }
  return parsed
}
