/**
 * @module control/api-key
 * API keys as the control plane mints and stores them: the format, generation, hashing and
 * verification. Transport-free, so the key service (control) and the authenticator
 * (server/auth, which adds the parsing of `Authorization` headers) share one definition.
 *
 * A key reads `maas_<prefix>_<secret>`: the prefix is 8 base32 characters (40 random bits),
 * public, stored in clear and used to find the key; the secret is 32 random bytes in
 * base64url (43 characters). The key is shown once; only its hash is stored.
 *
 * Hash: SHA-256, or HMAC-SHA256 with a server-side pepper when one is configured. A slow
 * password hash (scrypt, argon2) exists to make guessing low-entropy passwords expensive;
 * these keys carry 256 random bits, so no guessing is feasible whatever the hash, and a fast
 * hash keeps every authenticated request cheap (GitHub and Stripe tokens work the same way).
 * The pepper means a leaked database alone cannot even confirm a stolen key. Stored hashes
 * are tagged (`sha256:` / `hmac-sha256:`) so the scheme can change without guessing.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

/** A newly generated key. `key` is shown to its owner once and never stored. */
export interface GeneratedApiKey {
  readonly key: string
  readonly prefix: string
  readonly hash: string
}

/** Hashing options; the pepper comes from configuration, never from the database. */
export interface ApiKeyHashOptions {
  readonly pepper?: string | Buffer
}

/** The two parts of a well-formed key. */
export interface ParsedApiKey {
  readonly prefix: string
  readonly secret: string
}

export const API_KEY_SCHEME = 'maas'
export const API_KEY_PREFIX_LENGTH = 8
/** Bytes of randomness in the secret. */
export const API_KEY_SECRET_BYTES = 32
/** The format in words, for messages that refuse a malformed key (never echoing it). */
export const API_KEY_FORMAT = `${API_KEY_SCHEME}_<${API_KEY_PREFIX_LENGTH}-character prefix>_<secret>`

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567'
const API_KEY = /^maas_([a-z2-7]{8})_([A-Za-z0-9_-]{43,128})$/

/** Makes a new random key and its stored form (prefix + hash). */
export function generateApiKey(options: ApiKeyHashOptions = {}): GeneratedApiKey {
  const prefix = encodeBase32(randomBytes(5))
  const secret = randomBytes(API_KEY_SECRET_BYTES).toString('base64url')
  const key = `${API_KEY_SCHEME}_${prefix}_${secret}`
  return { key, prefix, hash: hashApiKey(key, options) }
}

/** The stored hash of a key: `hmac-sha256:<hex>` with a pepper, else `sha256:<hex>`. */
export function hashApiKey(key: string, options: ApiKeyHashOptions = {}): string {
  return options.pepper === undefined || options.pepper.length === 0
    ? `sha256:${createHash('sha256').update(key).digest('hex')}`
    : `hmac-sha256:${createHmac('sha256', options.pepper).update(key).digest('hex')}`
}

/**
 * True when `presented` hashes to `storedHash`. The digests are compared with
 * crypto.timingSafeEqual, so the time taken does not reveal how many bytes matched.
 * A hash in an unknown format, or made with a pepper that is not given, never verifies.
 */
export function verifyApiKey(presented: string, storedHash: string, options: ApiKeyHashOptions = {}): boolean {
  const colon = storedHash.indexOf(':')
  const scheme = storedHash.slice(0, colon)
  const expected = Buffer.from(storedHash.slice(colon + 1), 'hex')
  if (colon === -1 || expected.length !== 32) return false
  let actual: Buffer
  if (scheme === 'sha256') {
    actual = createHash('sha256').update(presented).digest()
  } else if (scheme === 'hmac-sha256') {
    if (options.pepper === undefined || options.pepper.length === 0) return false
    actual = createHmac('sha256', options.pepper).update(presented).digest()
  } else {
    return false
  }
  return timingSafeEqual(actual, expected)
}

/** Prefix and secret of a well-formed key; null when `key` is not one. */
export function splitApiKey(key: string): ParsedApiKey | null {
  const match = API_KEY.exec(key)
  return match === null ? null : { prefix: match[1]!, secret: match[2]! }
}

/** A short form safe for logs and messages: `maas_abcd2345_…`. */
export function describeApiKey(prefix: string): string {
  return `${API_KEY_SCHEME}_${prefix}_…`
}

/** RFC 4648 base32, lower case, no padding; 5 bytes → 8 characters. */
function encodeBase32(bytes: Buffer): string {
  let out = ''
  let bits = 0
  let value = 0
  for (const byte of bytes) {
    value = ((value << 8) | byte) & 0xffff
    bits += 8
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31]
      bits -= 5
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31]
  return out
}
