import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MaasError } from '../../core/errors.ts'
import {
  describeApiKey, generateApiKey, hashApiKey, parseApiKey, parseAuthorizationHeader, verifyApiKey,
} from './api-key.ts'

const KEY_FORMAT = /^maas_[a-z2-7]{8}_[A-Za-z0-9_-]{43}$/

function assertUnauthenticated(run: () => unknown, message: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof MaasError)
    assert.equal(error.code, 'UNAUTHENTICATED')
    assert.match(error.message, message)
    return true
  })
}

describe('generateApiKey', () => {
  it('makes keys of the form maas_<8 base32>_<43 base64url> (32 random bytes)', () => {
    const { key, prefix } = generateApiKey()
    assert.match(key, KEY_FORMAT)
    assert.equal(key.slice(5, 13), prefix)
    assert.equal(Buffer.from(key.slice(14), 'base64url').length, 32)
  })

  it('never repeats a key or a prefix over 2000 keys', () => {
    const keys = new Set<string>()
    const prefixes = new Set<string>()
    for (let i = 0; i < 2000; i++) {
      const { key, prefix } = generateApiKey()
      keys.add(key)
      prefixes.add(prefix)
    }
    assert.equal(keys.size, 2000)
    assert.equal(prefixes.size, 2000)
  })

  it('returns a hash that does not contain the secret, and that verifies the key', () => {
    const { key, hash } = generateApiKey()
    const secret = parseApiKey(key).secret
    assert.match(hash, /^sha256:[0-9a-f]{64}$/)
    assert.ok(!hash.includes(secret) && !hash.includes(key))
    assert.equal(hash, hashApiKey(key))
    assert.ok(verifyApiKey(key, hash))
  })

  it('hashes with HMAC when a pepper is configured, and then needs the pepper to verify', () => {
    const { key, hash } = generateApiKey({ pepper: 'server-secret' })
    assert.match(hash, /^hmac-sha256:[0-9a-f]{64}$/)
    assert.ok(verifyApiKey(key, hash, { pepper: 'server-secret' }))
    assert.equal(verifyApiKey(key, hash), false)
    assert.equal(verifyApiKey(key, hash, { pepper: 'other' }), false)
  })
})

describe('verifyApiKey', () => {
  const { key, hash } = generateApiKey()

  it('accepts the key and refuses any other', () => {
    assert.equal(verifyApiKey(key, hash), true)
    assert.equal(verifyApiKey(`${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`, hash), false)
    assert.equal(verifyApiKey(generateApiKey().key, hash), false)
    assert.equal(verifyApiKey('', hash), false)
  })

  it('refuses hashes it cannot read instead of throwing (wrong length, unknown scheme, no scheme)', () => {
    assert.equal(verifyApiKey(key, hash.slice(0, -2)), false)
    assert.equal(verifyApiKey(key, hash.replace('sha256:', 'md5:')), false)
    assert.equal(verifyApiKey(key, hash.slice('sha256:'.length)), false)
    assert.equal(verifyApiKey(key, ''), false)
  })
})

describe('parseApiKey', () => {
  it('splits prefix and secret, even when the secret contains underscores', () => {
    const key = `maas_abcd2345_${'_'.repeat(43)}`
    assert.deepEqual(parseApiKey(key), { prefix: 'abcd2345', secret: '_'.repeat(43) })
  })

  for (const [why, key] of [
    ['a foreign scheme', `sk_live_abcd2345_${'a'.repeat(43)}`],
    ['a short prefix', `maas_abcd234_${'a'.repeat(43)}`],
    ['an upper-case prefix', `maas_ABCD2345_${'a'.repeat(43)}`],
    ['a short secret', `maas_abcd2345_${'a'.repeat(42)}`],
    ['a character outside base64url', `maas_abcd2345_${'a'.repeat(42)}+`],
  ] as const) {
    it(`refuses ${why} as a malformed API key`, () => assertUnauthenticated(() => parseApiKey(key), /^malformed API key/))
  }
})

describe('parseAuthorizationHeader', () => {
  const { key } = generateApiKey()

  it('returns the key of a Bearer header, whatever the scheme case and surrounding spaces', () => {
    assert.equal(parseAuthorizationHeader(`Bearer ${key}`), key)
    assert.equal(parseAuthorizationHeader(`bearer   ${key}  `), key)
    assert.equal(parseAuthorizationHeader([`BEARER ${key}`]), key)
  })

  it('says the header is missing when there is none or it is blank', () => {
    for (const value of [undefined, '', '   ', []]) {
      assertUnauthenticated(() => parseAuthorizationHeader(value), /^missing Authorization header/)
    }
  })

  it('refuses more than one value (gRPC metadata may repeat)', () => {
    assertUnauthenticated(() => parseAuthorizationHeader([`Bearer ${key}`, `Bearer ${key}`]), /more than one Authorization header/)
  })

  it('names an unsupported scheme', () => {
    assertUnauthenticated(() => parseAuthorizationHeader('Basic dXNlcjpwYXNz'), /unsupported authorization scheme 'Basic'/)
    assertUnauthenticated(() => parseAuthorizationHeader(key), /^malformed Authorization header/)
    assertUnauthenticated(() => parseAuthorizationHeader('hunter2'), /^malformed Authorization header; expected 'Bearer <API key>'$/)
  })

  it('refuses an empty bearer token and a malformed key without echoing it', () => {
    assertUnauthenticated(() => parseAuthorizationHeader('Bearer'), /empty bearer token/)
    assertUnauthenticated(() => parseAuthorizationHeader('Bearer not-a-key'), /^malformed API key/)
    assertUnauthenticated(() => parseAuthorizationHeader(`Bearer ${key} extra`), /^malformed API key/)
    assert.throws(() => parseAuthorizationHeader('Bearer secret-token-value'), (error: Error) => !error.message.includes('secret-token-value'))
  })
})

describe('describeApiKey', () => {
  it('shows only the public prefix', () => assert.equal(describeApiKey('abcd2345'), 'maas_abcd2345_…'))
})
