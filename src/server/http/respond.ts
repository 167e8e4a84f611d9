/**
 * @module server/http/respond
 * Writing responses: JSON text or bytes with the right length and type headers.
 */
import type { ServerResponse } from 'node:http'
import type { InferenceCaller } from '../../inference/data-plane.ts'
import type { CancelSignal } from '../../runtime/scheduler.ts'
import type { Principal } from '../auth/principal.ts'
import { ANONYMOUS_ADMIN } from '../auth/security.ts'
import { DisconnectSignal } from './disconnect-signal.ts'

export function sendJson(response: ServerResponse, status: number, json: string): void {
  response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(json) })
  response.end(json)
}

export function sendBody(response: ServerResponse, status: number, body: Buffer | string, headers: Record<string, string>): void {
  response.writeHead(status, { ...headers, 'Content-Length': Buffer.byteLength(body) })
  response.end(body)
}

/** The usage meter's view of the caller: its key id, none for anonymous callers. */
export function callerOf(principal: Principal | undefined): InferenceCaller | undefined {
  return principal && principal.keyId !== ANONYMOUS_ADMIN.keyId ? { keyId: principal.keyId } : undefined
}

/** A signal that fires when the client goes away before its response was sent. */
export function abortOnDisconnect(response: ServerResponse): CancelSignal {
  return new DisconnectSignal(response)
}

/** 200 with an empty body, as health and repository actions answer on success. */
export function sendEmpty(response: ServerResponse, status = 200): void {
  response.writeHead(status, { 'Content-Length': 0 })
  response.end()
}
