import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MaasError } from '../../core/errors.ts'
import { ApiKeyAuthenticator, type KeyLookup, type StoredKey } from './api-key-authenticator.ts'
import { generateApiKey } from './api-key.ts'

const NOW = Date.parse('2030-01-01T12:00:00Z')

function storeWith(...keys: StoredKey[]): KeyLookup & { lookups: string[] } {
  const lookups: string[] = []
  return {
    lookups,
    findByPrefix: async (prefix) => {
      lookups.push(prefix)
      return keys.find((key) => key.prefix === prefix) ?? null
    },
  }
}

function storedKey(fields: Partial<StoredKey> = {}, pepper?: string): { key: string; stored: StoredKey } {
  const generated = generateApiKey(pepper === undefined ? {} : { pepper })
  return {
    key: generated.key,
    stored: { id: 'k1', prefix: generated.prefix, hash: generated.hash, name: 'ci-bot', role: 'consumer', ...fields },
  }
}

async function assertRefused(promise: Promise<unknown>, message: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof MaasError)
    assert.equal(error.code, 'UNAUTHENTICATED')
    assert.match(error.message, message)
    return true
  })
}

describe('ApiKeyAuthenticator', () => {
  it('turns a Bearer header into the principal of the stored key', async () => {
    const { key, stored } = storedKey({ role: 'publisher', allowedModels: ['secret-model'], scopes: ['metrics', 'bogus'] })
    const keys = storeWith(stored)
    const principal = await new ApiKeyAuthenticator({ keys, now: () => NOW }).authenticate(`Bearer ${key}`)
    assert.equal(principal.keyId, 'k1')
    assert.equal(principal.name, 'ci-bot')
    assert.equal(principal.role, 'publisher')
    assert.deepEqual(principal.models, ['secret-model'])
    assert.deepEqual([...principal.scopes], ['metrics'])
    assert.deepEqual(keys.lookups, [stored.prefix])
  })

  it('answers an unknown prefix and a wrong secret alike', async () => {
    const { key, stored } = storedKey()
    const authenticator = new ApiKeyAuthenticator({ keys: storeWith(stored), now: () => NOW })
    const wrongSecret = `${key.slice(0, 14)}${'A'.repeat(43)}`
    await assertRefused(authenticator.authenticateKey(wrongSecret), new RegExp(`^API key maas_${stored.prefix}_… is not valid$`))
    const other = generateApiKey().key
    await assertRefused(authenticator.authenticateKey(other), /is not valid$/)
  })

  it('refuses a revoked key, but only to whoever holds the whole key', async () => {
    const { key, stored } = storedKey({ revokedAt: new Date(NOW - 1000) })
    const authenticator = new ApiKeyAuthenticator({ keys: storeWith(stored), now: () => NOW })
    await assertRefused(authenticator.authenticateKey(key), /has been revoked/)
    await assertRefused(authenticator.authenticateKey(`${key.slice(0, 14)}${'A'.repeat(43)}`), /is not valid/)
  })

  it('keeps a rotated key valid until the end of its grace period', async () => {
    const old = storedKey({ id: 'old', expiresAt: new Date(NOW + 60_000) })
    const next = storedKey({ id: 'new' })
    let now = NOW
    const authenticator = new ApiKeyAuthenticator({ keys: storeWith(old.stored, next.stored), now: () => now })
    assert.equal((await authenticator.authenticateKey(old.key)).keyId, 'old')
    assert.equal((await authenticator.authenticateKey(next.key)).keyId, 'new')
    now = NOW + 60_000
    await assertRefused(authenticator.authenticateKey(old.key), /expired at 2030-01-01T12:01:00.000Z/)
    assert.equal((await authenticator.authenticateKey(next.key)).keyId, 'new')
  })

  it('verifies peppered hashes with the configured pepper only', async () => {
    const { key, stored } = storedKey({}, 'pepper-1')
    assert.equal((await new ApiKeyAuthenticator({ keys: storeWith(stored), pepper: 'pepper-1' }).authenticateKey(key)).keyId, 'k1')
    await assertRefused(new ApiKeyAuthenticator({ keys: storeWith(stored) }).authenticateKey(key), /is not valid/)
  })

  it('does not reach the store for a malformed header', async () => {
    const keys = storeWith()
    await assertRefused(new ApiKeyAuthenticator({ keys }).authenticate('Bearer nope'), /^malformed API key/)
    await assertRefused(new ApiKeyAuthenticator({ keys }).authenticate(undefined), /^missing Authorization header/)
    assert.deepEqual(keys.lookups, [])
  })
})
