/**
 * @module server/http/router
 * A small path router: patterns like `/v2/models/{model}/versions/{version}/infer` or
 * `/v1/models/{model}:predict`, matched in order, with URL-decoded parameters. The route
 * table is data, so it can be listed (docs, tests that check every route).
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Principal } from '../auth/principal.ts'

export type RouteParams = Readonly<Record<string, string>>

export interface RouteContext {
  readonly request: IncomingMessage
  readonly response: ServerResponse
  readonly params: RouteParams
  readonly requestId: string
  /** The authenticated caller, once the request guard has set one; absent until then. */
  readonly principal?: Principal
  /**
   * Authorises the request and applies the limits with its sample count. Routes that admit in
   * their handler (inference) call it after decoding and before any model work; a no-op
   * when the server runs without security.
   */
  readonly admit: (samples?: number) => Promise<void>
}

export type RouteHandler = (context: RouteContext) => Promise<void> | void

export interface Route {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  readonly pattern: string
  /** Which protocol the route belongs to; picks the error body style. */
  readonly protocol: 'kserve' | 'tfserving' | 'maas'
  readonly handler: RouteHandler
}

interface CompiledRoute extends Route {
  readonly regex: RegExp
  readonly names: readonly string[]
  /** The pattern's literal text before its first parameter: a cheap test before the regex. */
  readonly prefix: string
}

export type RouteMatch =
  | { readonly kind: 'found'; readonly route: Route; readonly params: RouteParams }
  | { readonly kind: 'method-not-allowed'; readonly allowed: readonly string[] }
  | { readonly kind: 'not-found' }

/** Paths remembered per method; past this the memory is cleared (paths are the client's to choose). */
const REMEMBERED_PATHS = 1_000
/** Longer paths are matched every time: with the count above this bounds the memory (~0.5 MB per method). */
const REMEMBERED_PATH_LENGTH = 256

export class Router {
  readonly #routes: CompiledRoute[] = []
  /**
   * Found matches by method and path: clients call the same few paths over and over, and
   * walking the table (a regex per candidate) costs more than the rest of routing.
   */
  readonly #found = new Map<string, Map<string, RouteMatch>>()

  add(route: Route): this {
    const names: string[] = []
    const source = route.pattern
      .split(/(\{[a-z]+\})/i)
      .map((part) => {
        const name = /^\{([a-z]+)\}$/i.exec(part)?.[1]
        if (name) {
          names.push(name)
          return '([^/]+?)'
        }
        return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')
      })
      .join('')
    const brace = route.pattern.indexOf('{')
    const prefix = brace === -1 ? route.pattern : route.pattern.slice(0, brace)
    this.#routes.push({ ...route, regex: new RegExp(`^${source}$`), names, prefix })
    this.#found.clear()
    return this
  }

  /** The routes in the order they were added (a copy: adding goes through add()). */
  get routes(): readonly Route[] {
    return [...this.#routes]
  }

  match(method: string, pathname: string): RouteMatch {
    let found = this.#found.get(method)
    const known = found?.get(pathname)
    if (known !== undefined) return known
    const match = this.#walk(method, pathname)
    if (match.kind === 'found' && pathname.length <= REMEMBERED_PATH_LENGTH) {
      if (found === undefined) this.#found.set(method, (found = new Map()))
      else if (found.size >= REMEMBERED_PATHS) found.clear()
      found.set(pathname, match)
    }
    return match
  }

  #walk(method: string, pathname: string): RouteMatch {
    const allowed: string[] = []
    for (const route of this.#routes) {
      if (!pathname.startsWith(route.prefix)) continue
      const match = route.regex.exec(pathname)
      if (!match) continue
      if (route.method !== method && !(method === 'HEAD' && route.method === 'GET')) {
        allowed.push(route.method)
        if (route.method === 'GET') allowed.push('HEAD')
        continue
      }
      const params: Record<string, string> = {}
      route.names.forEach((name, index) => (params[name] = decodeSegment(match[index + 1]!)))
      // Frozen: one match (and its params) is handed to every request on the same path.
      return Object.freeze({ kind: 'found', route, params: Object.freeze(params) })
    }
    return allowed.length > 0 ? { kind: 'method-not-allowed', allowed } : { kind: 'not-found' }
  }
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}
