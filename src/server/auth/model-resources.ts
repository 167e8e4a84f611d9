/**
 * @module server/auth/model-resources
 * What the policy needs to know about a model (owner, visibility), read from the registry
 * and cached for two seconds so authorising a request costs no database round trip (a change
 * of owner or visibility therefore takes effect within two seconds).
 * A model the registry does not know is public here: the request then fails with 404 where
 * it would have anyway, and nothing about other models leaks.
 */
import type { RegistryStore } from '../../registry/registry-store.ts'
import type { Resource } from './permissions.ts'

const TTL_MS = 2_000

export class ModelResources {
  readonly #registry: RegistryStore
  readonly #cache = new Map<string, { resource: Resource; until: number }>()

  constructor(registry: RegistryStore) {
    this.#registry = registry
  }

  /**
   * The resource of `model` (which may be `name@label`): the cached one as it is, a promise
   * only when the registry must be read, so a request does not wait a microtask for a hit.
   */
  of(model: string): Resource | Promise<Resource> {
    const at = model.indexOf('@')
    const name = at === -1 ? model : model.slice(0, at)
    const now = Date.now()
    const cached = this.#cache.get(name)
    if (cached && cached.until > now) return cached.resource
    return this.#read(name, now)
  }

  async #read(name: string, now: number): Promise<Resource> {
    const record = await this.#registry.models.get(name).catch(() => undefined)
    // Unknown models are not cached: one may be created (or imported) the next moment.
    if (!record) return { model: name, visibility: 'public' }
    const resource: Resource = { model: name, owner: record.owner, visibility: record.visibility }
    if (this.#cache.size > 10_000) this.#cache.clear()
    this.#cache.set(name, { resource, until: now + TTL_MS })
    return resource
  }
}
